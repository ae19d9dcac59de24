namespace OpenKcm.Core.Health;

/// <summary>
/// Settings of the health pipeline (configuration section <c>Health</c> by convention; bound by the host).
/// Validated on start by <see cref="HealthServiceCollectionExtensions.AddKeystoreHealth"/>. Read once when the
/// monitor and the feed are constructed; changes need a restart.
/// </summary>
public sealed class HealthOptions
{
    /// <summary>Time between two deep probes of the same keystore. Default 10 s.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

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
