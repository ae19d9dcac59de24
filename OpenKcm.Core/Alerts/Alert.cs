namespace OpenKcm.Core.Alerts;

/// <summary>
/// One raised alert (table <c>alerts</c>). Written only by <see cref="AlertCentre"/>'s writer; callers get detached
/// copies. Never holds a secret: titles and details are built from names, statuses and error kinds.
/// </summary>
public sealed class Alert
{
    public required Guid Id { get; init; }

    /// <summary>When the first occurrence happened (UTC).</summary>
    public required DateTimeOffset RaisedAt { get; init; }

    /// <summary>When the latest coalesced occurrence happened; equals <see cref="RaisedAt"/> for a single one.</summary>
    public required DateTimeOffset LastOccurredAt { get; set; }

    /// <summary>1 + the occurrences coalesced into this alert (see docs/alerts.md, "Coalescing").</summary>
    public required int OccurrenceCount { get; set; }

    public required AlertType Type { get; init; }

    public required AlertSeverity Severity { get; init; }

    public Guid? TenantId { get; init; }

    public string? TenantName { get; init; }

    public Guid? KeystoreId { get; init; }

    public string? KeystoreName { get; init; }

    /// <summary>One line for lists, e.g. "bao-eu is Critical".</summary>
    public required string Title { get; init; }

    /// <summary>What happened in a sentence or two (latest occurrence); null when the title says it all.</summary>
    public string? Detail { get; set; }

    /// <summary>
    /// Identity of a one-time alert (expiry: keystore, item, expiry instant and threshold); unique. Null for alerts
    /// that may repeat.
    /// </summary>
    public string? DedupKey { get; init; }

    public DateTimeOffset? AcknowledgedAt { get; set; }

    public string? AcknowledgedById { get; set; }

    public string? AcknowledgedByName { get; set; }

    public bool IsAcknowledged => AcknowledgedAt is not null;
}
