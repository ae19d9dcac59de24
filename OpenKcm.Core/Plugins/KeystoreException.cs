namespace OpenKcm.Core.Plugins;

/// <summary>
/// A keystore-side failure with a typed <see cref="Kind"/>. The message is written for administrators and never
/// contains a secret value, token or key material.
/// </summary>
public sealed class KeystoreException : Exception
{
    public KeystoreException(KeystoreErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    public KeystoreErrorKind Kind { get; }

    /// <summary>For <see cref="KeystoreErrorKind.PermissionDenied"/>: the permission or path that was refused.</summary>
    public string? Permission { get; init; }

    /// <summary>For <see cref="KeystoreErrorKind.Throttled"/>: how long the keystore asked us to wait.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>HTTP status or vendor code, when there was one.</summary>
    public string? VendorCode { get; init; }

    /// <summary>True for failures a retry or a failover can help with.</summary>
    public bool IsRetryable => Kind is KeystoreErrorKind.Throttled or KeystoreErrorKind.Unreachable
        or KeystoreErrorKind.TimedOut or KeystoreErrorKind.Unavailable;
}
