namespace OpenKcm.Core.Operations;

/// <summary>
/// Where a primary keystore's key operations go: shown on its tile and the NOC page. Immutable; value equality.
/// </summary>
public sealed record KeystoreFailoverState
{
    /// <summary>The backup keystore named for the primary.</summary>
    public required Guid BackupKeystoreId { get; init; }

    public required string BackupName { get; init; }

    /// <summary>True while key operations go to the backup.</summary>
    public required bool FailedOver { get; init; }

    /// <summary>When the current routing began (failover or failback); null when it never switched.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Why it last switched, for people (no secret); null when it never switched.</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// False when the backup cannot take operations now (not active, of another tenant, not verified for the current
    /// active versions, or itself Critical), with the reason.
    /// </summary>
    public bool BackupAvailable { get; init; } = true;

    public string? BackupUnavailableReason { get; init; }
}
