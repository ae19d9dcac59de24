namespace OpenKcm.Core.Keystores;

/// <summary>Lifecycle: Draft → Tested → Active ⇄ Suspended → Retired (Retired is final).</summary>
public enum KeystoreState
{
    /// <summary>Saved, but the current version has not passed Test Connection.</summary>
    Draft,

    /// <summary>The current version passed Test Connection; not active yet.</summary>
    Tested,

    /// <summary>Serving key operations with <see cref="KeystoreInfo.ActiveVersion"/>.</summary>
    Active,

    /// <summary>Temporarily not used for key operations; can be resumed.</summary>
    Suspended,

    /// <summary>Permanently out of use; kept for history and audit.</summary>
    Retired,
}
