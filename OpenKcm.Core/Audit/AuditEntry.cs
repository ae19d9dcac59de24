namespace OpenKcm.Core.Audit;

/// <summary>
/// One durable, hash-chained audit entry (table <c>audit_entries</c>). Immutable; written only by
/// <see cref="AuditLog"/>'s single writer. <see cref="Hash"/> is SHA-256 over a canonical serialization of every other
/// field including <see cref="PreviousHash"/>, so editing, deleting or reordering entries breaks the chain.
/// </summary>
public sealed class AuditEntry
{
    /// <summary>1, 2, 3... without gaps.</summary>
    public required long Sequence { get; init; }

    /// <summary>When the action was recorded (UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    public required string ActorId { get; init; }

    public required string ActorName { get; init; }

    public required string Action { get; init; }

    public Guid? TenantId { get; init; }

    public Guid? KeystoreId { get; init; }

    public required AuditOutcome Outcome { get; init; }

    public string? Detail { get; init; }

    /// <summary>Lower-case hex SHA-256 of the previous entry; 64 zeros for the first entry.</summary>
    public required string PreviousHash { get; init; }

    /// <summary>Lower-case hex SHA-256 of this entry (see <see cref="AuditEntry"/>).</summary>
    public required string Hash { get; init; }
}
