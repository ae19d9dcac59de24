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
    public async Task RetryableFailureOnPrimary_ContinuesOnBackupAtOnce_AndLaterOperationsToo()
    {
        await using var h = new FailoverHarness();
        await h.StartAsync();
        h.SetDown("primary", true);

        // No clock advance: a backoff wait would never end, so completing proves the switch was immediate.
        var wrapped = await h.Router.WrapAsync(h.Primary.Id, s_plaintext, s_aad, s_actor, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([4, 3, 2, 1], wrapped);
        var record = Assert.Single(h.Operations.Records);
        Assert.Equal(KeyOperationOutcome.Succeeded, record.Outcome);
        Assert.Equal(h.Primary.Id, record.KeystoreId);
        Assert.Equal(h.Backup.Id, record.ServedByKeystoreId);
        Assert.Equal("backup", record.ServedByKeystoreName);
        Assert.True(record.RoutedToBackup);
        Assert.Equal(1, record.Attempts);
        Assert.True(h.Coordinator.Get(h.Primary.Id)!.FailedOver);
        Assert.Equal("wrap on primary failed: Unavailable", h.Coordinator.Get(h.Primary.Id)!.Reason);

        var unwrapped = await h.Router.UnwrapAsync(h.Primary.Id, wrapped, s_aad, s_actor, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(s_plaintext, unwrapped);
        Assert.Equal(0, h.Plugin.ConnectionsFor("primary").Sum(c => c.UnwrapCalls));
        Assert.Equal(1, h.Plugin.ConnectionsFor("primary").Sum(c => c.WrapCalls));
        Assert.Equal(1, h.Plugin.ConnectionsFor("backup").Sum(c => c.UnwrapCalls));
        Assert.True(h.Operations.Records.Last().RoutedToBackup);
        await Eventually.UntilAsync(() => h.Health(h.Backup.Id)?.OperationCount == 2 && h.Health(h.Primary.Id)?.OperationCount == 1,
            "each attempt counted for the keystore that served it");
        Assert.Equal(0, h.Health(h.Backup.Id)!.FailureCount);
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
        Assert.Equal(h.Backup.Id, record.ServedByKeystoreId);
        Assert.Equal(1, h.Plugin.ConnectionsFor("primary").Sum(c => c.WrapCalls));
    }
}
