using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Health;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.Operations;

namespace OpenKcm.Core.Tests.Health;

/// <summary>The real monitor, feed and connection manager over a fake plugin, a fake catalog and a manual clock.</summary>
public sealed class MonitorHarness : IAsyncDisposable
{
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The harness moves the fake clock in whole probe intervals while real work (connects on the thread pool) is
    /// still running, so a short probe timeout would fire spuriously; tests about timeouts pass their own.
    /// </summary>
    public static readonly HealthThresholds DefaultThresholds = new()
    {
        WarningLatency = TimeSpan.FromMilliseconds(500),
        CriticalAfterConsecutiveFailures = 3,
        ProbeTimeout = TimeSpan.FromHours(1),
    };

    public static readonly HealthThresholds ShortProbeTimeout = DefaultThresholds with { ProbeTimeout = TimeSpan.FromSeconds(5) };

    /// <summary>
    /// Latency is measured on the fake clock, so a probe thread descheduled while <see cref="ProbeUntilAsync"/> moves
    /// the clock "takes" a whole probe interval and turns the keystore Warning. Tests that assert a keystore stays
    /// Healthy while the clock moves, and are not about latency, use a warning latency no such step can reach.
    /// </summary>
    public static readonly HealthThresholds NoLatencyWarning = DefaultThresholds with { WarningLatency = TimeSpan.FromMinutes(30) };

    public static readonly HealthThresholds ShortProbeTimeoutNoLatencyWarning = ShortProbeTimeout with { WarningLatency = TimeSpan.FromMinutes(30) };

    public MonitorHarness(HealthThresholds? thresholds = null, Action<HealthOptions>? configure = null, HealthHistoryStore? history = null, ManualTimeProvider? clock = null)
    {
        Clock = clock ?? new ManualTimeProvider();
        var options = new HealthOptions
        {
            ProbeInterval = ProbeInterval,
            CatalogRefreshInterval = TimeSpan.FromHours(1), // refresh only on change events in these tests
            FeedBatchInterval = TimeSpan.Zero,
        };
        configure?.Invoke(options);

        Plugin = new FakeKeystorePlugin(thresholds: thresholds ?? DefaultThresholds);
        var registry = new PluginRegistry([Plugin]);
        Connections = new KeystoreConnectionManager(
            Catalog, registry, Clock, Options.Create(new KeyOperationOptions()), NullLogger<KeystoreConnectionManager>.Instance);
        Feed = new HealthFeed(Clock, Options.Create(options));
        Metrics = new KeystoreMetrics(Feed);
        Monitor = new KeystoreHealthMonitor(
            Catalog, registry, Connections, Feed, Clock, Options.Create(options), NullLogger<KeystoreHealthMonitor>.Instance,
            metrics: Metrics, history: history);
    }

    public ManualTimeProvider Clock { get; }

    public KeystoreMetrics Metrics { get; }

    public FakeKeystoreCatalog Catalog { get; } = new();

    public FakeKeystorePlugin Plugin { get; }

    public KeystoreConnectionManager Connections { get; }

    public HealthFeed Feed { get; }

    public KeystoreHealthMonitor Monitor { get; }

    public Task StartAsync() => Monitor.StartAsync(CancellationToken.None);

    public KeystoreHealth? Health(Guid keystoreId) => Feed.Find(keystoreId);

    /// <summary>Moves the clock one probe interval per poll until <paramref name="condition"/> holds.</summary>
    public Task ProbeUntilAsync(Func<bool> condition, string because) =>
        Eventually.UntilAsync(condition, because, () => Clock.Advance(ProbeInterval));

    public async ValueTask DisposeAsync()
    {
        await Monitor.StopAsync(CancellationToken.None);
        Monitor.Dispose();
        await Connections.DisposeAsync();
        Metrics.Dispose();
    }
}
