namespace OpenKcm.Core.Audit;

/// <summary>Filter and page for <see cref="AuditLog.QueryAsync"/>; every filter is optional. Results are newest first.</summary>
public sealed record AuditQuery
{
    public const int MaxTake = 500;

    /// <summary>Entries at or after this instant.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Entries before this instant.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Matches the actor id exactly or a part of the actor name (case-insensitive for ASCII).</summary>
    public string? Actor { get; init; }

    /// <summary><c>keystore.</c> matches every keystore action; <c>secret.use</c> only that one.</summary>
    public string? ActionPrefix { get; init; }

    public Guid? TenantId { get; init; }

    public Guid? KeystoreId { get; init; }

    public AuditOutcome? Outcome { get; init; }

    public int Skip { get; init; }

    /// <summary>Page size, at most <see cref="MaxTake"/>.</summary>
    public int Take { get; init; } = 50;
}
