using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Keystores;

/// <summary>
/// An active keystore's identity and its active configuration version, as the health monitor and the connection
/// manager need it. Immutable snapshot; <see cref="Secrets"/> resolves (and audits) the version's secrets.
/// </summary>
public sealed class ActiveKeystore
{
    public required Guid Id { get; init; }

    public required Guid TenantId { get; init; }

    public required string TenantName { get; init; }

    /// <summary>The seed's <c>plugin_name</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The seed's <c>plugin_type</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The active configuration version; a connection is valid for exactly this version.</summary>
    public required int Version { get; init; }

    public required KeystoreSettings Settings { get; init; }

    /// <summary>The keystore key operations fail over to (same tenant, holding the same L1); null when none.</summary>
    public Guid? BackupKeystoreId { get; init; }

    /// <summary>The last successful Verify backup of <see cref="BackupKeystoreId"/>; null: never verified.</summary>
    public BackupVerificationRecord? BackupVerification { get; init; }

    /// <summary>
    /// True when <see cref="BackupVerification"/> covers this keystore's active <see cref="Version"/> and the backup's
    /// current active version. The failover coordinator never fails over to an unverified backup.
    /// </summary>
    public bool BackupVerified { get; init; }

    /// <summary>The administrator's threshold overrides for this keystore; null: the plugin's defaults.</summary>
    public HealthThresholds? ThresholdOverrides { get; init; }

    public required ISecretResolver Secrets { get; init; }
}
