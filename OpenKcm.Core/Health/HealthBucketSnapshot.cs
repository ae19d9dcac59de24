namespace OpenKcm.Core.Health;

/// <summary>
/// A copy of one time bucket of a keystore's results: what the history writer stores and what a restart restores.
/// Immutable by convention (the bins array is never changed after creation).
/// </summary>
internal sealed record HealthBucketSnapshot
{
    public required Guid KeystoreId { get; init; }

    /// <summary>Start of the bucket, aligned to a multiple of <see cref="Duration"/> since 0001-01-01 UTC.</summary>
    public required DateTimeOffset Start { get; init; }

    public required TimeSpan Duration { get; init; }

    public long Probes { get; init; }

    public long Operations { get; init; }

    public long Successes { get; init; }

    public long Failures { get; init; }

    /// <summary>Sum of successful latencies (ticks).</summary>
    public long LatencySumTicks { get; init; }

    /// <summary>Slowest successful latency (ticks); 0 when none.</summary>
    public long MaxLatencyTicks { get; init; }

    /// <summary><see cref="LatencyHistogram.BinCount"/> counts of successful latencies.</summary>
    public required long[] Bins { get; init; }

    public KeystoreHealthError? LastError { get; init; }

    public HealthSample ToSample() => new()
    {
        KeystoreId = KeystoreId,
        Start = Start,
        Duration = Duration,
        Successes = Successes,
        Failures = Failures,
        Operations = Operations,
        AverageLatency = Successes > 0 ? TimeSpan.FromTicks(LatencySumTicks / Successes) : null,
        P95Latency = LatencyHistogram.Percentile(Bins, Successes, 0.95, TimeSpan.FromTicks(MaxLatencyTicks)),
        MaxLatency = Successes > 0 ? TimeSpan.FromTicks(MaxLatencyTicks) : null,
    };
}
