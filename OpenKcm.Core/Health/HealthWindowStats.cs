namespace OpenKcm.Core.Health;

/// <summary>
/// A keystore's results over one rolling window (1 minute, 1 hour or 24 hours), probes and key operations together
/// unless a member says otherwise. Immutable; value equality.
/// </summary>
public sealed record HealthWindowStats
{
    /// <summary>The window's length.</summary>
    public required TimeSpan Window { get; init; }

    /// <summary>Key operations (wrap/unwrap attempts) in the window; probes excluded.</summary>
    public long Operations { get; init; }

    /// <summary>Deep probes in the window.</summary>
    public long Probes { get; init; }

    /// <summary>Successful results (probes and operations).</summary>
    public long Successes { get; init; }

    /// <summary>Failed results (probes and operations).</summary>
    public long Failures { get; init; }

    /// <summary>Key operations per hour, extrapolated from the window (for the 1-minute window: × 60).</summary>
    public double OperationsPerHour { get; init; }

    /// <summary>Successes ÷ results, 0–1; null when the window holds no result.</summary>
    public double? SuccessRate { get; init; }

    /// <summary>Failures ÷ results, 0–1; null when the window holds no result.</summary>
    public double? ErrorRate { get; init; }

    /// <summary>Mean latency of successful results; null when none.</summary>
    public TimeSpan? AverageLatency { get; init; }

    /// <summary>95th percentile latency of successful results (nearest rank, or estimated from stored buckets); null when none.</summary>
    public TimeSpan? P95Latency { get; init; }

    /// <summary>99th percentile latency of successful results; null when none.</summary>
    public TimeSpan? P99Latency { get; init; }

    /// <summary>The most recent failure inside the window; null when none.</summary>
    public KeystoreHealthError? LastError { get; init; }

    public static HealthWindowStats Empty(TimeSpan window) => new() { Window = window };
}
