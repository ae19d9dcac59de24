namespace OpenKcm.Core.Plugins;

/// <summary>Typed keystore failures, mapped by each plugin from its vendor's error shapes.</summary>
public enum KeystoreErrorKind
{
    AuthenticationFailed,
    PermissionDenied,
    KeyNotFound,
    KeyDisabled,
    Throttled,
    Unreachable,
    TimedOut,

    /// <summary>Reachable but not serving: sealed, uninitialized, standby without forwarding, maintenance.</summary>
    Unavailable,
    InvalidResponse,

    /// <summary>The configuration itself is wrong (e.g. unreadable secret_id_path, bad CA certificate).</summary>
    InvalidConfiguration,
}
