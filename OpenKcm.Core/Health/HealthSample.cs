namespace OpenKcm.Core.Health;

/// <summary>
/// One stored, downsampled bucket of a keystore's results (what the latency chart plots). Immutable.
/// </summary>
public sealed record HealthSample
{
    public required Guid KeystoreId { get; init; }

    /// <summary>Start of the bucket (UTC).</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>Bucket length (finer for recent history, coarser for older).</summary>
    public required TimeSpan Duration { get; init; }

    public required long Successes { get; init; }

    public required long Failures { get; init; }

    /// <summary>Key operations in the bucket (probes excluded).</summary>
    public required long Operations { get; init; }

    /// <summary>Mean latency of the bucket's successful results; null when none.</summary>
    public TimeSpan? AverageLatency { get; init; }

    /// <summary>95th percentile latency of the bucket's successful results; null when none.</summary>
    public TimeSpan? P95Latency { get; init; }

    /// <summary>Slowest successful result of the bucket; null when none.</summary>
    public TimeSpan? MaxLatency { get; init; }
}
