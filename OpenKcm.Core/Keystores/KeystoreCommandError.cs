namespace OpenKcm.Core.Keystores;

/// <summary>Why <see cref="KeystoreService"/> refused a command (<see cref="KeystoreCommandException.Error"/>).</summary>
public enum KeystoreCommandError
{
    KeystoreNotFound,
    VersionNotFound,
    TenantNotFound,

    /// <summary>No plugin is registered for the keystore's kind (a provider was removed).</summary>
    PluginNotRegistered,

    /// <summary>Activation of a version that never ran Test Connection.</summary>
    VersionNotTested,

    /// <summary>Activation of a version whose last Test Connection failed.</summary>
    VersionTestFailed,

    /// <summary>The command is not allowed in the keystore's current state (e.g. resuming an active keystore).</summary>
    InvalidState,

    /// <summary>The chosen backup is not usable (itself, another tenant's, retired).</summary>
    InvalidBackup,

    /// <summary>Someone else changed the keystore meanwhile; reload and try again.</summary>
    ConcurrentChange,
}
