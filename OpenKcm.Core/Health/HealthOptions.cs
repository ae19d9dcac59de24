namespace OpenKcm.Core.Health;

/// <summary>
/// Settings of the health pipeline (configuration section <c>Health</c> by convention; bound by the host).
/// Validated on start by <see cref="HealthServiceCollectionExtensions.AddKeystoreHealth"/>. Read once when the
/// monitor and the feed are constructed; changes need a restart.
/// </summary>
public sealed class HealthOptions
{
    /// <summary>
    /// Time between two deep probes of the same keystore while Healthy or Unknown, unless its thresholds set
    /// <see cref="Plugins.HealthThresholds.ProbeInterval"/>. Default 10 s.
    /// </summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time between two deep probes while Warning or Critical, unless its thresholds set
    /// <see cref="Plugins.HealthThresholds.DegradedProbeInterval"/>. Default 2 s, or <see cref="ProbeInterval"/> when
    /// that is shorter and this was left at its default (so setting only <c>ProbeInterval=00:00:01</c> is valid); an
    /// explicit value above <see cref="ProbeInterval"/> fails validation.
    /// </summary>
    public TimeSpan DegradedProbeInterval { get; set; } = DefaultDegradedProbeInterval;

    /// <summary>The default of <see cref="DegradedProbeInterval"/>: 2 s.</summary>
    public static readonly TimeSpan DefaultDegradedProbeInterval = TimeSpan.FromSeconds(2);

    /// <summary>How often <see cref="HealthHistoryWriter"/> writes changed minute buckets (and retries a failed write). Default 15 s.</summary>
    public TimeSpan HistoryFlushInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long 1-minute history buckets are kept before they are rolled up into 1-hour buckets. Default 48 h (at least 24 h: the 24-hour window is restored from them).</summary>
    public TimeSpan HistoryMinuteRetention { get; set; } = TimeSpan.FromHours(48);

    /// <summary>How long 1-hour history buckets are kept. Default 30 days.</summary>
    public TimeSpan HistoryHourRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often old history is rolled up and pruned. Default 1 h.</summary>
    public TimeSpan HistoryMaintenanceInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Upper bound of history buckets kept in memory while the database cannot be written (the oldest are dropped,
    /// counted in <see cref="HealthHistoryWriterStatus.Dropped"/> and logged). Default 20 000 (≈ 14 keystore-days of minutes).
    /// </summary>
    public int HistoryMaxPendingBuckets { get; set; } = 20_000;

    /// <summary>
    /// How often the monitor re-reads the active keystores even without a
    /// <see cref="Keystores.IKeystoreCatalog.KeystoreChanged"/> event (another console instance may have changed them).
    /// Default 30 s.
    /// </summary>
    public TimeSpan CatalogRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The rolling window over which average and p95 latency are computed and against which
    /// <see cref="Plugins.HealthThresholds.WarningLatency"/> is compared. Default 1 min.
    /// </summary>
    public TimeSpan LatencyWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Upper bound of latency samples kept per keystore inside <see cref="LatencyWindow"/> (the oldest go first), so
    /// a keystore carrying heavy key-operation traffic costs bounded memory and a bounded p95 sort. Default 512.
    /// </summary>
    public int MaxLatencySamples { get; set; } = 512;

    /// <summary>
    /// Minimum time between two batches delivered to one feed subscriber; changes arriving in between are collapsed
    /// into the next batch (latest state per keystore). Default 250 ms.
    /// </summary>
    public TimeSpan FeedBatchInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
