using OpenKcm.Core.Audit;
using OpenKcm.Core.Health;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.Health;

namespace OpenKcm.Core.Tests.Operations;

/// <summary>The router with the failover coordinator: where operations go and what the audit records say.</summary>
public sealed class FailoverRoutingTests
{
    private static readonly byte[] s_plaintext = [1, 2, 3, 4];
    private static readonly byte[] s_aad = [7];
    private static readonly Actor s_actor = new("user-1", "admin@acme.test");

    [Fact]
    public async Task RetryableFailureOnPrimary_ContinuesOnBackupAtOnce_TheSecondInARowSwitchesLaterOperations()
    {
        await using var h = new FailoverHarness();
        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Health(h.Primary.Id)?.Status == KeystoreHealthStatus.Healthy, "first probe of the primary done");
        h.SetDown("primary", true);

        // No clock advance: a backoff wait would never end, so completing proves the continuation was immediate.
        var wrapped = await h.Router.WrapAsync(h.Primary.Id, s_plaintext, s_aad, s_actor, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([4, 3, 2, 1], wrapped);
        var record = Assert.Single(h.Operations.Records);
        Assert.Equal(KeyOperationOutcome.Succeeded, record.Outcome);
        Assert.Equal(h.Primary.Id, record.KeystoreId);
        Assert.Equal(h.Backup.Id, record.ServedByKeystoreId);
        Assert.Equal("backup", record.ServedByKeystoreName);
        Assert.True(record.RoutedToBackup);
        Assert.Equal(1, record.Attempts);
        Assert.False(h.Coordinator.Get(h.Primary.Id)!.FailedOver, "one failure does not move the route");

        var unwrapped = await h.Router.UnwrapAsync(h.Primary.Id, wrapped, s_aad, s_actor, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(s_plaintext, unwrapped);
        // The second failure in a row switched the route (or a probe that saw the outage in between made it Critical).
        Assert.True(h.Coordinator.Get(h.Primary.Id)!.FailedOver);

        await h.Router.WrapAsync(h.Primary.Id, s_plaintext, s_aad, s_actor, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, h.Plugin.ConnectionsFor("primary").Sum(c => c.UnwrapCalls));
        Assert.Equal(1, h.Plugin.ConnectionsFor("primary").Sum(c => c.WrapCalls));
        Assert.Equal(2, h.Plugin.ConnectionsFor("backup").Sum(c => c.WrapCalls));
        Assert.True(h.Operations.Records.Last().RoutedToBackup);
        await Eventually.UntilAsync(() => h.Health(h.Backup.Id)?.OperationCount == 3 && h.Health(h.Primary.Id)?.OperationCount == 2,
            "each attempt counted for the keystore that served it");
        Assert.Equal(0, h.Health(h.Backup.Id)!.FailureCount);
    }

    [Fact]
    public async Task UnverifiedBackup_OperationFailsOnPrimary_NeverReachesBackup()
    {
        await using var h = new FailoverHarness(maxRetryAttempts: 0, backupVerified: false);
        await h.StartAsync();
        h.SetDown("primary", true);

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<KeystoreException>(() => h.Router.WrapAsync(h.Primary.Id, s_plaintext, s_aad, s_actor, CancellationToken.None));
        }

        Assert.Equal(0, h.Plugin.ConnectionsFor("backup").Sum(c => c.WrapCalls));
        var state = h.Coordinator.Get(h.Primary.Id)!;
        Assert.False(state.FailedOver);
        Assert.Equal("backup backup has not been verified for the active versions: run Verify backup", state.BackupUnavailableReason);
        Assert.Empty(h.Switches);
    }

    [Fact]
    public async Task FailedOver_BackupFailsRetryably_OperationContinuesOnPrimaryWhenNotCritical()
    {
        await using var h = new FailoverHarness(maxRetryAttempts: 0);
        await h.StartAsync();
        await Eventually.UntilAsync(() => h.Health(h.Primary.Id)?.Status == KeystoreHealthStatus.Healthy, "first probe of the primary done");
        h.SetDown("primary", true);
        await h.Router.WrapAsync(h.Primary.Id, s_plaintext, s_aad, s_actor, CancellationToken.None);
        await h.Router.WrapAsync(h.Primary.Id, s_plaintext, s_aad, s_actor, CancellationToken.None);
        Assert.True(h.Coordinator.Get(h.Primary.Id)!.FailedOver);

        h.SetDown("primary", false);
        await h.ProbeUntilAsync(() => h.Health(h.Primary.Id) is { Status: not KeystoreHealthStatus.Critical, ConsecutiveFailures: 0 }, "primary answers probes again");
        Assert.True(h.Coordinator.Get(h.Primary.Id)!.FailedOver, "still on the backup (failback needs 3 healthy probes)");
        h.SetDown("backup", true);
        var wrapped = await h.Router.WrapAsync(h.Primary.Id, s_plaintext, s_aad, s_actor, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([4, 3, 2, 1], wrapped);
        var record = h.Operations.Records.Last();
        Assert.Equal(KeyOperationOutcome.Succeeded, record.Outcome);
        Assert.Equal(h.Primary.Id, record.ServedByKeystoreId);
        Assert.False(record.RoutedToBackup);
    }

    [Fact]
    public async Task NonRetryableFailureOnPrimary_DoesNotFailOver()
    {
        await using var h = new FailoverHarness();
        await h.StartAsync();
        h.Plugin.OnWrap = (settings, _, _) => throw new KeystoreException(KeystoreErrorKind.PermissionDenied, "Not allowed.");

        await Assert.ThrowsAsync<KeystoreException>(() => h.Router.WrapAsync(h.Primary.Id, s_plaintext, s_aad, s_actor, CancellationToken.None));

        Assert.False(h.Coordinator.Get(h.Primary.Id)?.FailedOver ?? false);
        Assert.Equal(0, h.Plugin.ConnectionsFor("backup").Sum(c => c.WrapCalls));
        Assert.False(Assert.Single(h.Operations.Records).RoutedToBackup);
    }

    [Fact]
    public async Task PrimaryCriticalFromProbes_OperationsGoStraightToBackup()
    {
        await using var h = new FailoverHarness();
        await h.StartAsync();
        h.SetDown("primary", true);
        await h.ProbeUntilAsync(() => h.Coordinator.Get(h.Primary.Id)?.FailedOver == true, "failed over");

        await h.Router.WrapAsync(h.Primary.Id, s_plaintext, s_aad, s_actor, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, h.Plugin.ConnectionsFor("primary").Sum(c => c.WrapCalls));
        Assert.True(Assert.Single(h.Operations.Records).RoutedToBackup);
    }

    [Fact]
    public async Task BackupAlsoDown_RetriesOnBackupWithBackoff_ThenFails()
    {
        await using var h = new FailoverHarness(maxRetryAttempts: 2);
        await h.StartAsync();
        h.SetDown("primary", true);
        h.SetDown("backup", true);

        var wrap = h.Router.WrapAsync(h.Primary.Id, s_plaintext, s_aad, s_actor, CancellationToken.None);
        await Eventually.UntilAsync(() => wrap.IsCompleted, "wrap ended", () => h.Clock.Advance(TimeSpan.FromSeconds(1)));

        var error = await Assert.ThrowsAsync<KeystoreException>(() => wrap);
        Assert.Equal(KeystoreErrorKind.Unavailable, error.Kind);
        var record = Assert.Single(h.Operations.Records);
        Assert.Equal(KeyOperationOutcome.Failed, record.Outcome);
        Assert.Equal(3, record.Attempts);
        // Both keystores were tried. How the three attempts split between them depends on when the concurrently running
        // probes turned each Critical (a Critical backup fails back to a primary that is not Critical), so only the
        // bounds are fixed: each attempt reaches one or both keystores.
        var backupCalls = h.Plugin.ConnectionsFor("backup").Sum(c => c.WrapCalls);
        var primaryCalls = h.Plugin.ConnectionsFor("primary").Sum(c => c.WrapCalls);
        Assert.True(backupCalls >= 1, "the backup was never tried");
        Assert.True(primaryCalls >= 1, "the primary was never tried");
    }
}
