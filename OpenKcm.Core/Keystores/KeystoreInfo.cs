namespace OpenKcm.Core.Keystores;

/// <summary>Snapshot of a keystore for lists and detail pages. Immutable; safe to hold in a component.</summary>
public sealed class KeystoreInfo
{
    public required Guid Id { get; init; }

    public required Guid TenantId { get; init; }

    public required string TenantName { get; init; }

    /// <summary>The seed's <c>plugin_name</c>; unique per tenant.</summary>
    public required string Name { get; init; }

    /// <summary>The seed's <c>plugin_type</c> (<see cref="Plugins.PluginDescriptor.Kind"/>).</summary>
    public required string Kind { get; init; }

    public required KeystoreState State { get; init; }

    /// <summary>The newest configuration version (what the edit form shows).</summary>
    public required int CurrentVersion { get; init; }

    /// <summary>The version used for key operations; null until first activation.</summary>
    public int? ActiveVersion { get; init; }

    /// <summary>The keystore key operations fail over to; same tenant.</summary>
    public Guid? BackupKeystoreId { get; init; }

    /// <summary>
    /// The last successful Verify backup of the named backup (null: never, or cleared by naming another backup); it
    /// may be stale, see <see cref="BackupVerified"/>.
    /// </summary>
    public BackupVerificationRecord? BackupVerification { get; init; }

    /// <summary>
    /// True when <see cref="BackupVerification"/> covers the current active versions of this keystore and of its
    /// backup: only then may key operations fail over to the backup.
    /// </summary>
    public bool BackupVerified { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public KeystoreTestSummary? LastTest { get; init; }

    /// <summary>True when the current version differs from the active one (saved changes not deployed yet).</summary>
    public bool HasUndeployedChanges => ActiveVersion is { } active && active != CurrentVersion;
}
