namespace OpenKcm.Core.Keystores;

/// <summary>
/// Persisted keystore row (table <c>keystores</c>). Mutable, tracked by EF inside <see cref="KeystoreService"/> only;
/// callers see <see cref="KeystoreInfo"/> snapshots.
/// </summary>
internal sealed class Keystore
{
    public required Guid Id { get; init; }

    public required Guid TenantId { get; init; }

    /// <summary>The seed's <c>plugin_name</c>; unique per tenant.</summary>
    public required string Name { get; init; }

    /// <summary>The seed's <c>plugin_type</c>.</summary>
    public required string Kind { get; init; }

    public KeystoreState State { get; set; }

    /// <summary>The newest configuration version.</summary>
    public int CurrentVersion { get; set; }

    /// <summary>The version used for key operations while Active or Suspended.</summary>
    public int? ActiveVersion { get; set; }

    public Guid? BackupKeystoreId { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public int? LastTestVersion { get; set; }

    public KeystoreTestOutcome? LastTestOutcome { get; set; }

    public DateTimeOffset? LastTestedAt { get; set; }

    /// <summary>Concurrency token: incremented by every change so two administrators cannot overwrite each other.</summary>
    public int Revision { get; set; }
}
