namespace OpenKcm.Core.Alerts;

/// <summary>
/// An alert to raise, handed to <see cref="AlertCentre.Enqueue"/>. Immutable. Texts are for people and must not
/// contain secrets.
/// </summary>
public sealed record AlertRequest
{
    public required AlertType Type { get; init; }

    public required AlertSeverity Severity { get; init; }

    /// <summary>When it happened.</summary>
    public required DateTimeOffset At { get; init; }

    public required string Title { get; init; }

    public string? Detail { get; init; }

    public Guid? TenantId { get; init; }

    public string? TenantName { get; init; }

    public Guid? KeystoreId { get; init; }

    public string? KeystoreName { get; init; }

    /// <summary>When set, the alert is raised at most once for this key, ever (expiry thresholds).</summary>
    public string? DedupKey { get; init; }

    /// <summary>Fold into a recent unacknowledged alert of the same type and keystore (see <see cref="AlertOptions.CoalesceWindow"/>).</summary>
    public bool Coalesce { get; init; }
}
