using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.Operations;

namespace OpenKcm.Core.Tests.Health;

/// <summary>Adaptive probing, wake-up, threshold overrides, windows, faults and metrics of the real monitor on a fake clock.</summary>
public sealed class KeystoreHealthMonitorIssue5Tests
{
    [Fact]
    public async Task Monitor_Healthy_ProbesEveryProbeIntervalThenEveryDegradedIntervalWhileWarning()
    {
        await using var h = new MonitorHarness(MonitorHarness.NoLatencyWarning, configure: o => o.DegradedProbeInterval = TimeSpan.FromSeconds(2));
        var keystore = TestKeystores.Create("adaptive");
        h.Catalog.SetActive(keystore);
        var probeTimes = new ConcurrentQueue<DateTimeOffset>();
        var fail = false;
        h.Plugin.OnProbe = (_, _) =>
        {
            probeTimes.Enqueue(h.Clock.GetUtcNow());
            return Volatile.Read(ref fail) ? Task.FromException(new KeystoreException(KeystoreErrorKind.Unreachable, "Down.")) : Task.CompletedTask;
        };

        await h.StartAsync();
        await Eventually.UntilAsync(() => probeTimes.Count >= 2, "two healthy probes", () => h.Clock.Advance(TimeSpan.FromMilliseconds(500)));
        Volatile.Write(ref fail, true);
        await Eventually.UntilAsync(() => h.Health(keystore.Id)?.Status == KeystoreHealthStatus.Warning, "a failed probe degrades it",
            () => h.Clock.Advance(TimeSpan.FromMilliseconds(500)));
        var degradedAt = probeTimes.Count;
        await Eventually.UntilAsync(() => probeTimes.Count >= degradedAt + 2, "two more probes while degraded",
            () => h.Clock.Advance(TimeSpan.FromMilliseconds(250)));

        var times = probeTimes.ToArray();
        Assert.True(times[1] - times[0] >= TimeSpan.FromSeconds(10), $"healthy gap {times[1] - times[0]}");
        // At least the degraded interval, and well under the healthy one (the clock moves in 250 ms steps while the
        // loop gets from one probe to its next sleep on a busy thread pool, so the exact 2 s is not asserted).
        var degradedGap = times[degradedAt + 1] - times[degradedAt];
        Assert.InRange(degradedGap, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(9.5));
    }

    [Fact]
    public async Task Monitor_ThresholdIntervals_OverrideTheConsoleDefaults()
    {
        var thresholds = MonitorHarness.DefaultThresholds with
        {
            ProbeInterval = TimeSpan.FromSeconds(30),
            DegradedProbeInterval = TimeSpan.FromSeconds(3),
        };
        await using var h = new MonitorHarness(thresholds);
        var keystore = TestKeystores.Create("custom");
        h.Catalog.SetActive(keystore);
        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Health(keystore.Id)?.Status == KeystoreHealthStatus.Healthy, "probed");
        // The failure below wakes a probe; it hangs (its timeout is an hour on the fake clock) so that it cannot make the
        // keystore Healthy again before the degraded interval is read.
        h.Plugin.OnProbe = (_, ct) => Task.Delay(Timeout.Infinite, ct);

        var healthy = h.Monitor.ProbeIntervalFor(keystore.Id);
        h.Monitor.Record(keystore, Failure(h, HealthObservationSource.Operation));
        var degraded = h.Monitor.ProbeIntervalFor(keystore.Id);

        Assert.Equal(TimeSpan.FromSeconds(30), healthy);
        Assert.Equal(TimeSpan.FromSeconds(3), degraded);
    }

    [Fact]
    public async Task Record_OperationFailureDegradesHealthyKeystore_WakesTheSleepingProbeLoop()
    {
        await using var h = new MonitorHarness();
        var keystore = TestKeystores.Create("woken");
        h.Catalog.SetActive(keystore);
        var probes = 0;
        h.Plugin.OnProbe = (_, _) =>
        {
            Interlocked.Increment(ref probes);
            return Task.CompletedTask;
        };
        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Health(keystore.Id)?.Status == KeystoreHealthStatus.Healthy, "first probe");
        var clockBefore = h.Clock.GetUtcNow();

        h.Monitor.Record(keystore, Failure(h, HealthObservationSource.Operation));

        // No clock movement: only the wake-up can start the second probe before the 10 s interval.
        await Eventually.UntilAsync(() => Volatile.Read(ref probes) >= 2, "the failure wakes the probe loop");
        Assert.Equal(clockBefore, h.Clock.GetUtcNow());
    }

    [Fact]
    public async Task Monitor_ThresholdOverrideChanged_RejudgedWithoutAnotherProbe()
    {
        await using var h = new MonitorHarness();
        var keystore = TestKeystores.Create("slow");
        h.Catalog.SetActive(keystore);
        h.Plugin.OnProbe = (_, _) =>
        {
            h.Clock.Advance(TimeSpan.FromMilliseconds(800)); // above the plugin default's 500 ms
            return Task.CompletedTask;
        };
        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Health(keystore.Id)?.Status == KeystoreHealthStatus.Warning, "slow probe");
        var probesBefore = h.Health(keystore.Id)!.SuccessCount;

        var overrides = MonitorHarness.DefaultThresholds with { WarningLatency = TimeSpan.FromSeconds(1) };
        h.Catalog.SetActive(WithOverrides(keystore, overrides));
        h.Catalog.RaiseChanged(keystore.Id);
        await Eventually.UntilAsync(() => h.Health(keystore.Id)?.Status == KeystoreHealthStatus.Healthy, "re-judged with the override");

        Assert.Equal(overrides, h.Health(keystore.Id)!.Thresholds);
        Assert.Equal(probesBefore, h.Health(keystore.Id)!.SuccessCount);
    }

    [Fact]
    public async Task Monitor_AverageAboveCriticalLatency_IsCritical()
    {
        await using var h = new MonitorHarness(MonitorHarness.DefaultThresholds with { CriticalLatency = TimeSpan.FromMilliseconds(700) });
        var keystore = TestKeystores.Create("very_slow");
        h.Catalog.SetActive(keystore);
        h.Plugin.OnProbe = (_, _) =>
        {
            h.Clock.Advance(TimeSpan.FromMilliseconds(800));
            return Task.CompletedTask;
        };

        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Health(keystore.Id)?.Status == KeystoreHealthStatus.Critical, "judged critical by latency");

        Assert.Equal(0, h.Health(keystore.Id)!.ConsecutiveFailures);
    }

    [Fact]
    public async Task Monitor_PluginThrows_CountsAsFailureWithoutItsMessageAndOthersContinue()
    {
        await using var h = new MonitorHarness(MonitorHarness.NoLatencyWarning);
        var broken = TestKeystores.Create("broken");
        var fine = TestKeystores.Create("fine");
        h.Catalog.SetActive(broken, fine);
        h.Plugin.OnProbe = (settings, _) => settings.Get(TestKeystores.NameField) == "broken"
            ? throw new InvalidOperationException("pin=1234 leaked")
            : Task.CompletedTask;

        await h.StartAsync();
        await h.ProbeUntilAsync(
            () => h.Health(broken.Id)?.Status == KeystoreHealthStatus.Critical && h.Health(fine.Id)?.SuccessCount >= 3,
            "the broken keystore turns critical while the other keeps being probed");

        var health = h.Health(broken.Id)!;
        Assert.Null(health.LastError!.Kind);
        Assert.DoesNotContain("1234", health.LastError.Message, StringComparison.Ordinal);
        Assert.Equal("broken", health.Name);
        Assert.Equal(KeystoreHealthStatus.Healthy, h.Health(fine.Id)!.Status);
        // The window holds the failures of the last minute only: under load the harness may have advanced the clock
        // past a minute since the first failure, so it can hold fewer than the run of consecutive failures.
        Assert.InRange(health.Windows.LastMinute.Failures, 1, health.ConsecutiveFailures);
        Assert.Equal(0, health.Windows.LastMinute.Successes);
    }

    [Fact]
    public async Task Monitor_PublishesWindowsConsecutiveSuccessesAndLastResultAt()
    {
        await using var h = new MonitorHarness();
        var keystore = TestKeystores.Create("windows");
        h.Catalog.SetActive(keystore);
        await h.StartAsync();
        await h.ProbeUntilAsync(() => h.Health(keystore.Id)?.SuccessCount >= 3, "three probes");
        h.Monitor.Record(keystore, HealthObservation.Success(HealthObservationSource.Operation, h.Clock.GetUtcNow(), TimeSpan.FromMilliseconds(4)));

        var health = h.Health(keystore.Id)!;
        Assert.True(health.ConsecutiveSuccesses >= 4);
        Assert.Equal(h.Clock.GetUtcNow(), health.LastResultAt);
        Assert.Equal(1, health.Windows.LastHour.Operations);
        Assert.True(health.Windows.LastHour.Probes >= 3);
        Assert.Equal(1.0, health.Windows.LastDay.SuccessRate);
        Assert.NotNull(health.P99Latency);
    }

    [Fact]
    public async Task Metrics_ProbesAndOperations_RecordedWithTagsAndStatusGauge()
    {
        await using var h = new MonitorHarness();
        var keystore = TestKeystores.Create("metered");
        h.Catalog.SetActive(keystore);
        var probes = 0;

        // The first probe succeeds; any later one (the failure below wakes one) hangs, so the status stays Warning.
        h.Plugin.OnProbe = (_, ct) => Interlocked.Increment(ref probes) == 1 ? Task.CompletedTask : Task.Delay(Timeout.Infinite, ct);
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, h.Metrics.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.Start();

        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Health(keystore.Id)?.Status == KeystoreHealthStatus.Healthy, "probed");
        h.Monitor.Record(keystore, Failure(h, HealthObservationSource.Operation));
        listener.RecordObservableInstruments();

        // (The failure may wake a second probe; the first one is the one we know succeeded.)
        var probe = measurements.First(m => m.Instrument == "openkcm.keystore.probe.duration");
        Assert.Equal(keystore.Id.ToString(), probe.Tags["keystore.id"]);
        Assert.Equal("metered", probe.Tags["keystore.name"]);
        Assert.Equal(TestKeystores.Kind, probe.Tags["keystore.kind"]);
        Assert.Equal("acme", probe.Tags["tenant"]);
        Assert.Equal("success", probe.Tags["outcome"]);
        var operation = Assert.Single(measurements, m => m.Instrument == "openkcm.keystore.operation.duration");
        Assert.Equal(0.03, operation.Value, 6);
        Assert.Equal("failure", operation.Tags["outcome"]);
        Assert.Equal("Unreachable", operation.Tags["error.kind"]);
        var results = measurements.Where(m => m.Instrument == "openkcm.keystore.results").ToList();
        Assert.Contains(results, m => (string?)m.Tags["source"] == "probe" && (string?)m.Tags["outcome"] == "success");
        Assert.Contains(results, m => (string?)m.Tags["source"] == "operation" && (string?)m.Tags["outcome"] == "failure");
        var status = Assert.Single(measurements, m => m.Instrument == "openkcm.keystore.status");
        Assert.Equal((int)KeystoreHealthStatus.Warning, status.Value);
        Assert.Equal("metered", status.Tags["keystore.name"]);
    }

    private static HealthObservation Failure(MonitorHarness h, HealthObservationSource source)
    {
        var now = h.Clock.GetUtcNow();
        return HealthObservation.Failure(source, now, TimeSpan.FromMilliseconds(30),
            new KeystoreHealthError { Kind = KeystoreErrorKind.Unreachable, Message = "Connection refused.", At = now });
    }

    private static ActiveKeystore WithOverrides(ActiveKeystore k, HealthThresholds overrides) => new()
    {
        Id = k.Id,
        TenantId = k.TenantId,
        TenantName = k.TenantName,
        Name = k.Name,
        Kind = k.Kind,
        Version = k.Version,
        Settings = k.Settings,
        Secrets = k.Secrets,
        ThresholdOverrides = overrides,
    };

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
