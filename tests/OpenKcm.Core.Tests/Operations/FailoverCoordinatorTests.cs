using OpenKcm.Core.Audit;
using OpenKcm.Core.Health;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Tests.Health;

namespace OpenKcm.Core.Tests.Operations;

/// <summary>The coordinator inside the real monitor (probes on a manual clock) and router, over fake keystores.</summary>
public sealed class FailoverCoordinatorTests
{
    [Fact]
    public async Task PrimaryTurnsCritical_FailsOverToBackup_AuditsAndRaisesEvents()
    {
        await using var h = new FailoverHarness();
        var changed = new System.Collections.Concurrent.ConcurrentQueue<Guid>();
        h.Coordinator.Changed += changed.Enqueue;
        await h.StartAsync();
        await h.ProbeUntilAsync(() => h.Coordinator.Get(h.Primary.Id) is not null && h.Health(h.Backup.Id)?.Status == KeystoreHealthStatus.Healthy, "both probed");
        Assert.False(h.Coordinator.Get(h.Primary.Id)!.FailedOver);
        Assert.Null(h.Coordinator.Get(h.Backup.Id));

        h.SetDown("primary", true);
        await h.ProbeUntilAsync(() => h.Coordinator.Get(h.Primary.Id)!.FailedOver, "failed over");

        var state = h.Coordinator.Get(h.Primary.Id)!;
        Assert.Equal(h.Backup.Id, state.BackupKeystoreId);
        Assert.Equal("backup", state.BackupName);
        Assert.True(state.BackupAvailable);
        Assert.Contains("primary is Critical after 3 consecutive failures", state.Reason);
        Assert.Equal(KeystoreHealthStatus.Critical, h.Health(h.Primary.Id)!.Status);
        var switched = Assert.Single(h.Switches);
        Assert.True(switched.ToBackup);
        Assert.Equal((h.Primary.Id, h.Backup.Id, "primary", "backup"), (switched.PrimaryKeystoreId, switched.BackupKeystoreId, switched.PrimaryName, switched.BackupName));
        Assert.Contains(h.Primary.Id, changed);
        await Eventually.UntilAsync(() => h.Health(h.Primary.Id)?.Failover?.FailedOver == true, "the monitor republished the routing");
        await Eventually.UntilAsync(() => !h.Audits.IsEmpty, "the switch was audited");
        var audit = Assert.Single(h.Audits);
        Assert.Equal(AuditActions.KeystoreFailover, audit.Action);
        Assert.Equal(h.Primary.Id, audit.KeystoreId);
        Assert.Equal(FailoverCoordinator.AuditActor, audit.Actor);
        Assert.Contains("primary=primary", audit.Detail);
        Assert.Contains("backup=backup", audit.Detail);
        Assert.Contains("reason=primary is Critical", audit.Detail);
    }

    [Fact]
    public async Task PrimaryRecovers_FailsBackOnlyAfterThresholdHealthyProbes()
    {
        await using var h = new FailoverHarness();
        await h.StartAsync();
        h.SetDown("primary", true);
        await h.ProbeUntilAsync(() => h.Coordinator.Get(h.Primary.Id)?.FailedOver == true, "failed over");
        var probesAtRecovery = h.Plugin.ConnectionsFor("primary").Sum(c => c.ProbeCalls);

        h.SetDown("primary", false);
        await h.ProbeUntilAsync(() => h.Coordinator.Get(h.Primary.Id)?.FailedOver == false, "failed back");

        var healthyProbes = h.Plugin.ConnectionsFor("primary").Sum(c => c.ProbeCalls) - probesAtRecovery;
        Assert.True(healthyProbes >= FailoverHarness.Thresholds.FailbackAfterHealthyProbes, $"{healthyProbes} probes");
        Assert.Equal([true, false], h.Switches.Select(s => s.ToBackup));
        Assert.Contains("Healthy after 3 consecutive successful probes", h.Switches.Last().Reason);
        await Eventually.UntilAsync(() => h.Audits.Count == 2, "both switches audited");
        Assert.Equal([AuditActions.KeystoreFailover, AuditActions.KeystoreFailback], h.Audits.Select(a => a.Action));
    }

    [Fact]
    public async Task BackupCritical_DoesNotFailOver_SaysWhy()
    {
        await using var h = new FailoverHarness();
        await h.StartAsync();
        h.SetDown("backup", true);
        await h.ProbeUntilAsync(() => h.Health(h.Backup.Id)?.Status == KeystoreHealthStatus.Critical, "backup Critical");
        h.SetDown("primary", true);
        await h.ProbeUntilAsync(() => h.Health(h.Primary.Id)?.Status == KeystoreHealthStatus.Critical, "primary Critical");

        var state = h.Coordinator.Get(h.Primary.Id)!;
        Assert.False(state.FailedOver);
        Assert.False(state.BackupAvailable);
        Assert.Equal("backup backup is Critical", state.BackupUnavailableReason);
        Assert.Empty(h.Switches);

        // The backup recovers while the primary is still Critical: fail over then.
        h.SetDown("backup", false);
        await h.ProbeUntilAsync(() => h.Coordinator.Get(h.Primary.Id)!.FailedOver, "failed over once the backup recovered");
    }

    [Fact]
    public async Task BackupNotActive_DoesNotFailOver_SaysWhy()
    {
        await using var h = new FailoverHarness(backupActive: false);
        await h.StartAsync();
        h.SetDown("primary", true);
        await h.ProbeUntilAsync(() => h.Health(h.Primary.Id)?.Status == KeystoreHealthStatus.Critical, "primary Critical");
        await Eventually.UntilAsync(() => h.Coordinator.Get(h.Primary.Id) is { BackupAvailable: false }, "backup unavailable");

        Assert.False(h.Coordinator.Get(h.Primary.Id)!.FailedOver);
        Assert.Equal($"backup {h.Backup.Id} is not active", h.Coordinator.Get(h.Primary.Id)!.BackupUnavailableReason);
        await Assert.ThrowsAsync<OpenKcm.Core.Plugins.KeystoreException>(() => WrapWhileAdvancingAsync(h));
        Assert.Empty(h.Switches);
    }

    [Fact]
    public async Task BackupDeactivatedWhileFailedOver_FailsBackAtOnce()
    {
        await using var h = new FailoverHarness();
        await h.StartAsync();
        h.SetDown("primary", true);
        await h.ProbeUntilAsync(() => h.Coordinator.Get(h.Primary.Id)?.FailedOver == true, "failed over");

        h.Catalog.SetActive(h.Primary);
        await Eventually.UntilAsync(() => h.Coordinator.Get(h.Primary.Id)?.FailedOver == false, "failed back");

        Assert.Equal("backup backup is not active", h.Switches.Last().Reason);
        Assert.False(h.Switches.Last().ToBackup);
    }

    [Fact]
    public async Task AuditWriteFails_IsRetriedUntilWritten()
    {
        await using var h = new FailoverHarness();
        h.FailAuditWith = new AuditWriteException("database is locked", new IOException("locked"));
        await h.StartAsync();
        h.SetDown("primary", true);
        await h.ProbeUntilAsync(() => h.Coordinator.Get(h.Primary.Id)?.FailedOver == true, "failed over");
        Assert.Equal(1, h.Coordinator.PendingAudits);

        h.FailAuditWith = null;
        await Eventually.UntilAsync(() => h.Coordinator.PendingAudits == 0, "written on a retry", () => h.Clock.Advance(TimeSpan.FromSeconds(1)));

        Assert.Equal(AuditActions.KeystoreFailover, Assert.Single(h.Audits).Action);
    }

    private static async Task WrapWhileAdvancingAsync(FailoverHarness h)
    {
        var wrap = h.Router.WrapAsync(h.Primary.Id, new byte[] { 1, 2 }, default, Actor.System, CancellationToken.None);
        await Eventually.UntilAsync(() => wrap.IsCompleted, "wrap ended", () => h.Clock.Advance(TimeSpan.FromSeconds(5)));
        await wrap;
    }
}
