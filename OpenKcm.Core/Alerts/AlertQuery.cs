namespace OpenKcm.Core.Alerts;

/// <summary>Filters for <see cref="AlertCentre.ListAsync"/>; null members do not filter. Immutable.</summary>
public sealed record AlertQuery
{
    public const int MaxTake = 500;

    public AlertSeverity? Severity { get; init; }

    public AlertType? Type { get; init; }

    public Guid? KeystoreId { get; init; }

    /// <summary>True: acknowledged only; false: unacknowledged only.</summary>
    public bool? Acknowledged { get; init; }

    /// <summary>Alerts whose latest occurrence is at or after this instant.</summary>
    public DateTimeOffset? From { get; init; }

    public int Skip { get; init; }

    /// <summary>Page size, 1..<see cref="MaxTake"/>.</summary>
    public int Take { get; init; } = 100;
}
