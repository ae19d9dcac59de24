namespace OpenKcm.Core.Audit;

/// <summary>
/// What a caller asks <see cref="AuditLog.AppendAsync(AuditRecord, CancellationToken)"/> to record. The log adds
/// sequence, timestamp and hashes. <see cref="Detail"/> is short plain text and never contains a secret value.
/// </summary>
public sealed record AuditRecord
{
    public required string Action { get; init; }

    public required Actor Actor { get; init; }

    public required AuditOutcome Outcome { get; init; }

    public Guid? TenantId { get; init; }

    public Guid? KeystoreId { get; init; }

    public string? Detail { get; init; }
}
