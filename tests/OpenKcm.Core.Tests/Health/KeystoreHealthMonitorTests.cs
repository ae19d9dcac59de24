using OpenKcm.Core.Health;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.Operations;

namespace OpenKcm.Core.Tests.Health;

public sealed class KeystoreHealthMonitorTests
{
    [Fact]
    public async Task Monitor_FirstProbeCompletes_StatusGoesFromUnknownToHealthy()
    {
        await using var h = new MonitorHarness();
        var keystore = TestKeystores.Create("primary");
        h.Catalog.SetActive(keystore);
        var probeGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Plugin.OnProbe = (_, _) => probeGate.Task;

        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Health(keystore.Id) is not null, "the keystore appears in the feed");
        var before = h.Health(keystore.Id)!;
        probeGate.SetResult();
        await Eventually.UntilAsync(() => h.Health(keystore.Id)?.Status == KeystoreHealthStatus.Healthy, "the first probe succeeds");

        Assert.Equal(KeystoreHealthStatus.Unknown, before.Status);
        Assert.Null(before.LastProbeAt);
        var after = h.Health(keystore.Id)!;
        Assert.Equal(h.Clock.GetUtcNow(), after.LastProbeAt);
        Assert.Equal(1, after.SuccessCount);
        Assert.Equal(0, after.FailureCount);
        Assert.Equal(TimeSpan.Zero, after.LastLatency);
        Assert.Equal("primary", after.Name);
        Assert.Equal("acme", after.TenantName);
        Assert.Equal(TestKeystores.Kind, after.Kind);
    }

    [Fact]
    public async Task Monitor_AverageLatencyAboveWarningLatency_StatusIsWarning()
    {
        await using var h = new MonitorHarness();
        var keystore = TestKeystores.Create("slow");
        h.Catalog.SetActive(keystore);
        h.Plugin.OnProbe = (_, _) =>
        {
            h.Clock.Advance(TimeSpan.FromMilliseconds(800)); // the probe "takes" 800 ms; the threshold is 500 ms
            return Task.CompletedTask;
        };

        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Health(keystore.Id)?.Status == KeystoreHealthStatus.Warning, "the slow probe is judged");

        var health = h.Health(keystore.Id)!;
        Assert.Equal(TimeSpan.FromMilliseconds(800), health.AverageLatency);
        Assert.Equal(TimeSpan.FromMilliseconds(800), health.P95Latency);
        Assert.Equal(TimeSpan.FromMilliseconds(800), health.LastLatency);
        Assert.Equal(0, health.ConsecutiveFailures);
        Assert.Null(health.LastError);
    }

    [Fact]
    public async Task Monitor_FastProbesAfterSlowOnes_AverageOverRollingWindowRecoversToHealthy()
    {
        await using var h = new MonitorHarness(configure: o => o.LatencyWindow = TimeSpan.FromSeconds(30));
        var keystore = TestKeystores.Create("recovering");
        h.Catalog.SetActive(keystore);
        var latency = TimeSpan.FromMilliseconds(900);
        h.Plugin.OnProbe = (_, _) =>
        {
            h.Clock.Advance(latency);
            return Task.CompletedTask;
        };
        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Health(keystore.Id)?.Status == KeystoreHealthStatus.Warning, "the slow probe is judged");

        latency = TimeSpan.FromMilliseconds(100);
        await h.ProbeUntilAsync(() => h.Health(keystore.Id)?.Status == KeystoreHealthStatus.Healthy, "the slow sample leaves the window");

        Assert.Equal(TimeSpan.FromMilliseconds(100), h.Health(keystore.Id)!.LastLatency);
        Assert.True(h.Health(keystore.Id)!.AverageLatency <= TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Monitor_ConsecutiveFailures_WarningThenCriticalThenRecoversToHealthy()
    {
        await using var h = new MonitorHarness(MonitorHarness.NoLatencyWarning);
        var keystore = TestKeystores.Create("flaky");
        h.Catalog.SetActive(keystore);
        h.Plugin.OnProbe = (_, _) => throw new KeystoreException(KeystoreErrorKind.Unavailable, "Vault is sealed.");

        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Health(keystore.Id)?.ConsecutiveFailures == 1, "the first probe fails");
        var afterOne = h.Health(keystore.Id)!;
        await h.ProbeUntilAsync(() => h.Health(keystore.Id)?.ConsecutiveFailures >= 3, "three probes fail in a row");
        var critical = h.Health(keystore.Id)!;
        h.Plugin.OnProbe = (_, _) => Task.CompletedTask;
        await h.ProbeUntilAsync(() => h.Health(keystore.Id)?.Status == KeystoreHealthStatus.Healthy, "a probe succeeds again");
        var recovered = h.Health(keystore.Id)!;

        Assert.Equal(KeystoreHealthStatus.Warning, afterOne.Status);
        Assert.Equal(KeystoreErrorKind.Unavailable, afterOne.LastError?.Kind);
        Assert.Equal("Vault is sealed.", afterOne.LastError?.Message);
        Assert.Equal(KeystoreHealthStatus.Critical, critical.Status);
        Assert.Equal(critical.ConsecutiveFailures, critical.FailureCount);
        Assert.Equal(0, recovered.ConsecutiveFailures);
        Assert.Equal(1, recovered.SuccessCount);
        Assert.Equal(KeystoreErrorKind.Unavailable, recovered.LastError?.Kind); // kept so the dashboard can show what happened last
    }

    [Fact]
    public async Task Monitor_HangingProbe_TimesOutWithoutDelayingOtherKeystore()
    {
        await using var h = new MonitorHarness(MonitorHarness.ShortProbeTimeoutNoLatencyWarning);
        var hanging = TestKeystores.Create("hanging");
        var healthy = TestKeystores.Create("healthy");
        h.Catalog.SetActive(hanging, healthy);
        h.Plugin.OnProbe = (settings, ct) =>
            settings.Get(TestKeystores.NameField) == "hanging" ? Task.Delay(Timeout.Infinite, ct) : Task.CompletedTask;

        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Health(healthy.Id)?.Status == KeystoreHealthStatus.Healthy, "the healthy keystore is probed");
        // Its timeout is armed before the plugin is called: once the probe has started, moving the clock fires it.
        await Eventually.UntilAsync(() => h.Plugin.ConnectionsFor("hanging").Sum(c => c.ProbeCalls) == 1, "the hanging probe started");
        var hangingMeanwhile = h.Health(hanging.Id)!;
        h.Clock.Advance(TimeSpan.FromSeconds(5));
        await Eventually.UntilAsync(() => h.Health(hanging.Id)?.ConsecutiveFailures == 1, "the hanging probe times out");
        var timedOut = h.Health(hanging.Id)!;
        await h.ProbeUntilAsync(() => h.Health(healthy.Id)?.SuccessCount >= 3, "the healthy keystore keeps being probed");

        Assert.Equal(KeystoreHealthStatus.Unknown, hangingMeanwhile.Status);
        Assert.Equal(KeystoreErrorKind.TimedOut, timedOut.LastError?.Kind);
        Assert.Equal(TimeSpan.FromSeconds(5), timedOut.LastLatency);
        Assert.Equal(KeystoreHealthStatus.Healthy, h.Health(healthy.Id)!.Status);
    }

    [Fact]
    public async Task Monitor_ProbeIgnoresCancellation_NoNewProbeStartsUntilItReturns()
    {
        await using var h = new MonitorHarness(MonitorHarness.ShortProbeTimeout);
        var keystore = TestKeystores.Create("stuck");
        h.Catalog.SetActive(keystore);
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Plugin.OnProbe = (_, _) => stuck.Task; // ignores its cancellation token

        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Plugin.ConnectionsFor("stuck").Sum(c => c.ProbeCalls) == 1, "the first probe starts");
        await h.ProbeUntilAsync(() => h.Health(keystore.Id)?.ConsecutiveFailures >= 3, "the stuck probe keeps counting as failed");
        var probesWhileStuck = h.Plugin.ConnectionsFor("stuck").Sum(c => c.ProbeCalls);
        h.Plugin.OnProbe = (_, _) => Task.CompletedTask;
        stuck.SetResult();
        await h.ProbeUntilAsync(() => h.Health(keystore.Id)?.Status == KeystoreHealthStatus.Healthy, "probing resumes");

        Assert.Equal(1, probesWhileStuck);
        Assert.Equal(KeystoreErrorKind.TimedOut, h.Health(keystore.Id)!.LastError?.Kind);
    }

    [Fact]
    public async Task Monitor_StuckProbeDuringVersionChange_DoesNotDelayOtherChanges()
    {
        await using var h = new MonitorHarness(MonitorHarness.ShortProbeTimeout);
        var stuckV1 = TestKeystores.Create("stuck");
        var added = TestKeystores.Create("added");
        h.Catalog.SetActive(stuckV1);
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Plugin.OnProbe = (settings, _) => settings.Get(TestKeystores.NameField) == "stuck" && settings.GetInt(TestKeystores.VersionField) == 1
            ? stuck.Task // ignores cancellation
            : Task.CompletedTask;
        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Plugin.ConnectionsFor("stuck").Sum(c => c.ProbeCalls) == 1, "the version 1 probe hangs");

        h.Catalog.SetActive(TestKeystores.NextVersion(stuckV1), added);
        await Eventually.UntilAsync(
            () => h.Health(added.Id)?.Status == KeystoreHealthStatus.Healthy && h.Health(stuckV1.Id)?.Status == KeystoreHealthStatus.Healthy,
            "the new keystore and the new version are probed while the old probe still hangs");
        stuck.SetResult();

        Assert.Equal(2, h.Health(stuckV1.Id)!.Version);
    }

    [Fact]
    public async Task Monitor_CatalogReadFails_KeepsRunningAndRecoversOnNextChange()
    {
        await using var h = new MonitorHarness();
        h.Catalog.FailWith = new InvalidOperationException("Database is locked.");
        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Catalog.Reads >= 1, "the monitor tries to read the catalog");

        h.Catalog.FailWith = null;
        var keystore = TestKeystores.Create("late");
        h.Catalog.SetActive(keystore);
        await Eventually.UntilAsync(() => h.Health(keystore.Id)?.Status == KeystoreHealthStatus.Healthy, "the keystore is probed after the change");

        Assert.False(h.Monitor.ExecuteTask!.IsCompleted);
    }

    [Fact]
    public async Task Monitor_ConnectFails_CountsAsFailedProbeWithTheConnectError()
    {
        await using var h = new MonitorHarness();
        var keystore = TestKeystores.Create("locked-out");
        h.Catalog.SetActive(keystore);
        h.Plugin.OnConnect = (_, _) => throw new KeystoreException(KeystoreErrorKind.AuthenticationFailed, "AppRole login refused.");

        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Health(keystore.Id)?.ConsecutiveFailures == 1, "the probe fails to connect");
        await h.ProbeUntilAsync(() => h.Plugin.ConnectCalls >= 2, "the next probe tries to connect again");

        Assert.Equal(KeystoreErrorKind.AuthenticationFailed, h.Health(keystore.Id)!.LastError?.Kind);
    }

    [Fact]
    public async Task Monitor_KeystoreNoLongerActive_RemovedFromFeedAndConnectionDisposed()
    {
        await using var h = new MonitorHarness();
        var kept = TestKeystores.Create("kept");
        var retired = TestKeystores.Create("retired");
        h.Catalog.SetActive(kept, retired);
        await h.StartAsync();
        await Eventually.UntilAsync(
            () => h.Health(kept.Id)?.Status == KeystoreHealthStatus.Healthy && h.Health(retired.Id)?.Status == KeystoreHealthStatus.Healthy,
            "both keystores are probed");
        var subscription = h.Feed.Subscribe();
        await using var changes = subscription.Changes.GetAsyncEnumerator();

        h.Catalog.SetActive(kept);
        Assert.True(await changes.MoveNextAsync().AsTask().WaitAsync(Eventually.DefaultTimeout));
        await Eventually.UntilAsync(() => h.Plugin.ConnectionsFor("retired").All(c => c.IsDisposed), "the retired keystore's connection is disposed");

        var removal = Assert.Single(changes.Current);
        Assert.Equal(KeystoreHealthChangeKind.Removed, removal.Kind);
        Assert.Equal(retired.Id, removal.KeystoreId);
        Assert.Null(h.Health(retired.Id));
        Assert.NotNull(h.Health(kept.Id));
        Assert.False(Assert.Single(h.Plugin.ConnectionsFor("kept")).IsDisposed);
    }

    [Fact]
    public async Task Monitor_NewVersionActivated_ProbesOverNewConnectionAndReportsVersion()
    {
        await using var h = new MonitorHarness();
        var v1 = TestKeystores.Create("versioned");
        h.Catalog.SetActive(v1);
        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Health(v1.Id)?.Status == KeystoreHealthStatus.Healthy, "version 1 is probed");

        h.Catalog.SetActive(TestKeystores.NextVersion(v1));
        await Eventually.UntilAsync(
            () => h.Health(v1.Id)?.Version == 2 && h.Plugin.ConnectionsFor("versioned").Any(c => c.Version == 2 && c.ProbeCalls > 0),
            "version 2 is probed");

        var connections = h.Plugin.ConnectionsFor("versioned");
        Assert.Equal(2, connections.Length);
        await Eventually.UntilAsync(() => connections[0].IsDisposed, "the version 1 connection is disposed");
        Assert.False(connections[1].IsDisposed);
    }

    [Fact]
    public async Task Monitor_Stop_CancelsAndAwaitsProbeLoops()
    {
        var h = new MonitorHarness();
        var keystore = TestKeystores.Create("hanging");
        h.Catalog.SetActive(keystore);
        var observedCancellation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Plugin.OnProbe = async (_, ct) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                observedCancellation.TrySetResult();
            }
        };
        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Plugin.Connections.Sum(c => c.ProbeCalls) == 1, "the probe starts");

        await h.Monitor.StopAsync(CancellationToken.None).WaitAsync(Eventually.DefaultTimeout);

        Assert.True(observedCancellation.Task.IsCompleted);
        await h.DisposeAsync();
    }

    [Fact]
    public async Task Record_OperationResults_CountInHealthAndDriveStatus()
    {
        await using var h = new MonitorHarness();
        var keystore = TestKeystores.Create("busy");
        var now = h.Clock.GetUtcNow();
        var error = new KeystoreHealthError { Kind = KeystoreErrorKind.Throttled, Message = "Slow down.", At = now };

        h.Monitor.Record(keystore, HealthObservation.Success(HealthObservationSource.Operation, now, TimeSpan.FromMilliseconds(20)));
        for (var i = 0; i < 3; i++)
        {
            h.Monitor.Record(keystore, HealthObservation.Failure(HealthObservationSource.Operation, now, TimeSpan.FromMilliseconds(30), error));
        }

        var health = h.Health(keystore.Id)!;
        Assert.Equal(4, health.OperationCount);
        Assert.Equal(1, health.SuccessCount);
        Assert.Equal(3, health.FailureCount);
        Assert.Equal(KeystoreHealthStatus.Critical, health.Status);
        Assert.Null(health.LastProbeAt);
        Assert.Equal(TimeSpan.FromMilliseconds(20), health.AverageLatency);
    }
}
