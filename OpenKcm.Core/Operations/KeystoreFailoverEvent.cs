namespace OpenKcm.Core.Operations;

/// <summary>One switch of a primary keystore's key operations to its backup (failover) or back (failback).</summary>
public sealed record KeystoreFailoverEvent
{
    public required Guid TenantId { get; init; }

    public required string TenantName { get; init; }

    public required Guid PrimaryKeystoreId { get; init; }

    public required string PrimaryName { get; init; }

    public required Guid BackupKeystoreId { get; init; }

    public required string BackupName { get; init; }

    /// <summary>True: operations now go to the backup; false: failed back to the primary.</summary>
    public required bool ToBackup { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>Why, for people (no secret): e.g. "primary Critical after 3 consecutive failures".</summary>
    public required string Reason { get; init; }
}
