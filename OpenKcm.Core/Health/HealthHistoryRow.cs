namespace OpenKcm.Core.Health;

/// <summary>
/// Persisted history bucket (table <c>health_history</c>): one keystore's results over one minute or one hour.
/// Written only by <see cref="HealthHistoryStore"/>; keyed by keystore, bucket length and start, so writing a bucket
/// again (a partial minute completed later) replaces it.
/// </summary>
internal sealed class HealthHistoryRow
{
    public required Guid KeystoreId { get; init; }

    /// <summary>Bucket length in seconds: 60 or 3600.</summary>
    public required int DurationSeconds { get; init; }

    public required DateTimeOffset Start { get; init; }

    public long Probes { get; set; }

    public long Operations { get; set; }

    public long Successes { get; set; }

    public long Failures { get; set; }

    public long LatencySumTicks { get; set; }

    public long MaxLatencyTicks { get; set; }

    /// <summary>Successful latencies, <see cref="LatencyHistogram.Encode"/>d.</summary>
    public byte[] Histogram { get; set; } = [];

    public string? LastErrorKind { get; set; }

    public string? LastErrorMessage { get; set; }

    public DateTimeOffset? LastErrorAt { get; set; }
}
