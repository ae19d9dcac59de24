using OpenKcm.Core.Alerts;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Health;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Tests.Health;
using OpenKcm.Core.Tests.TestSupport;

namespace OpenKcm.Core.Tests.Alerts;

public sealed class AlertCentreTests
{
    private static readonly Guid s_keystore = Guid.Parse("5d1f0f3a-0000-4000-8000-000000000001");

    [Fact]
    public async Task OnHealthChanged_UnknownToHealthy_RaisesNothing()
    {
        await using var h = await AlertsHarness.CreateAsync();

        Publish(h, null, KeystoreHealthStatus.Unknown);
        Publish(h, KeystoreHealthStatus.Unknown, KeystoreHealthStatus.Healthy);
        await h.Centre.WhenWrittenAsync(CancellationToken.None);

        Assert.Equal(0, (await List(h)).TotalCount);
        Assert.Equal(0, h.Centre.UnacknowledgedCount);
    }

    [Fact]
    public async Task OnHealthChanged_HealthyToWarning_RaisesWarningAlertAuditedAndCounted()
    {
        await using var h = await AlertsHarness.CreateAsync();

        Publish(h, KeystoreHealthStatus.Healthy, KeystoreHealthStatus.Warning, averageMs: 480);
        await h.Centre.WhenWrittenAsync(CancellationToken.None);

        var alert = Assert.Single((await List(h)).Items).Alert;
        Assert.Equal(AlertType.StatusWarning, alert.Type);
        Assert.Equal(AlertSeverity.Warning, alert.Severity);
        Assert.Equal("bao-eu is Warning", alert.Title);
        Assert.Contains("480 ms", alert.Detail, StringComparison.Ordinal);
        Assert.Equal(s_keystore, alert.KeystoreId);
        Assert.Equal(1, h.Centre.UnacknowledgedCount);
        var audit = Assert.Single(await h.Core.AuditEntriesAsync("alert.raise"));
        Assert.Equal(s_keystore, audit.KeystoreId);
        Assert.Contains("type=StatusWarning", audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnHealthChanged_CriticalThenHealthy_RaisesCriticalThenRecovered()
    {
        await using var h = await AlertsHarness.CreateAsync();

        Publish(h, KeystoreHealthStatus.Healthy, KeystoreHealthStatus.Critical, failures: 3, error: "connection refused");
        h.Core.Time.Advance(TimeSpan.FromSeconds(20));
        Publish(h, KeystoreHealthStatus.Critical, KeystoreHealthStatus.Healthy);
        await h.Centre.WhenWrittenAsync(CancellationToken.None);

        var items = (await List(h)).Items;
        Assert.Equal([AlertType.Recovered, AlertType.StatusCritical], items.Select(i => i.Alert.Type));
        Assert.Contains("3 consecutive failures", items[1].Alert.Detail, StringComparison.Ordinal);
        Assert.Contains("connection refused", items[1].Alert.Detail, StringComparison.Ordinal);
        Assert.Equal(AlertSeverity.Info, items[0].Alert.Severity);
    }

    [Fact]
    public async Task OnHealthChanged_FlappingInsideWindow_CoalescesIntoOneAlertPerType()
    {
        await using var h = await AlertsHarness.CreateAsync(new AlertOptions { CoalesceWindow = TimeSpan.FromMinutes(10) });

        for (var i = 0; i < 5; i++)
        {
            Publish(h, KeystoreHealthStatus.Healthy, KeystoreHealthStatus.Warning);
            h.Core.Time.Advance(TimeSpan.FromSeconds(30));
            Publish(h, KeystoreHealthStatus.Warning, KeystoreHealthStatus.Healthy);
            h.Core.Time.Advance(TimeSpan.FromSeconds(30));
        }

        await h.Centre.WhenWrittenAsync(CancellationToken.None);

        var items = (await List(h)).Items;
        Assert.Equal(2, items.Length);
        var warning = Assert.Single(items, i => i.Alert.Type == AlertType.StatusWarning).Alert;
        Assert.Equal(5, warning.OccurrenceCount);
        Assert.Equal(warning.RaisedAt + TimeSpan.FromMinutes(4), warning.LastOccurredAt);
        Assert.Equal(5, Assert.Single(items, i => i.Alert.Type == AlertType.Recovered).Alert.OccurrenceCount);
        Assert.Equal(2, (await h.Core.AuditEntriesAsync("alert.raise")).Length);
    }

    [Fact]
    public async Task OnHealthChanged_AgainAfterWindowOrAcknowledge_RaisesANewAlert()
    {
        await using var h = await AlertsHarness.CreateAsync(new AlertOptions { CoalesceWindow = TimeSpan.FromMinutes(10) });
        Publish(h, KeystoreHealthStatus.Healthy, KeystoreHealthStatus.Warning);
        await h.Centre.WhenWrittenAsync(CancellationToken.None);
        var first = Assert.Single((await List(h)).Items).Alert;

        h.Core.Time.Advance(TimeSpan.FromMinutes(11));
        Publish(h, KeystoreHealthStatus.Healthy, KeystoreHealthStatus.Warning);
        await h.Centre.WhenWrittenAsync(CancellationToken.None);
        Assert.Equal(2, (await List(h)).TotalCount);

        await h.Centre.AcknowledgeAsync([.. (await List(h)).Items.Select(i => i.Alert.Id)], CoreTestContext.Admin, CancellationToken.None);
        h.Core.Time.Advance(TimeSpan.FromMinutes(1));
        Publish(h, KeystoreHealthStatus.Healthy, KeystoreHealthStatus.Warning);
        await h.Centre.WhenWrittenAsync(CancellationToken.None);

        Assert.Equal(3, (await List(h)).TotalCount);
        Assert.Equal(1, first.OccurrenceCount);
    }

    [Fact]
    public async Task AcknowledgeAsync_KeepsWhoAndWhen_AuditsAndLowersTheCount()
    {
        await using var h = await AlertsHarness.CreateAsync();
        var changes = 0;
        h.Centre.Changed += () => Interlocked.Increment(ref changes);
        Publish(h, KeystoreHealthStatus.Healthy, KeystoreHealthStatus.Critical, failures: 3);
        await h.Centre.WhenWrittenAsync(CancellationToken.None);
        var id = Assert.Single((await List(h)).Items).Alert.Id;
        h.Core.Time.Advance(TimeSpan.FromMinutes(2));

        var acknowledged = await h.Centre.AcknowledgeAsync([id, id], CoreTestContext.Admin, CancellationToken.None);
        var again = await h.Centre.AcknowledgeAsync([id], CoreTestContext.Admin, CancellationToken.None);

        Assert.Equal(1, acknowledged);
        Assert.Equal(0, again);
        Assert.Equal(0, h.Centre.UnacknowledgedCount);
        Assert.True(Volatile.Read(ref changes) >= 2);
        var alert = Assert.Single((await List(h)).Items).Alert;
        Assert.Equal(h.Core.Time.GetUtcNow(), alert.AcknowledgedAt);
        Assert.Equal(CoreTestContext.Admin.Id, alert.AcknowledgedById);
        Assert.Equal(CoreTestContext.Admin.Name, alert.AcknowledgedByName);
        var entry = Assert.Single(await h.Core.AuditEntriesAsync("alert.acknowledge"));
        Assert.Equal(CoreTestContext.Admin.Id, entry.ActorId);
    }

    [Fact]
    public async Task ListAsync_Filters_NewestFirst()
    {
        await using var h = await AlertsHarness.CreateAsync();
        Publish(h, KeystoreHealthStatus.Healthy, KeystoreHealthStatus.Warning);
        h.Core.Time.Advance(TimeSpan.FromMinutes(1));
        Publish(h, KeystoreHealthStatus.Warning, KeystoreHealthStatus.Critical, failures: 3);
        h.Core.Time.Advance(TimeSpan.FromMinutes(1));
        Publish(h, KeystoreHealthStatus.Critical, KeystoreHealthStatus.Healthy);
        await h.Centre.WhenWrittenAsync(CancellationToken.None);

        var all = await List(h);
        var critical = await h.Centre.ListAsync(new AlertQuery { Severity = AlertSeverity.Critical }, CancellationToken.None);
        await h.Centre.AcknowledgeAsync([all.Items[0].Alert.Id], CoreTestContext.Admin, CancellationToken.None);
        var open = await h.Centre.ListAsync(new AlertQuery { Acknowledged = false }, CancellationToken.None);
        var other = await h.Centre.ListAsync(new AlertQuery { KeystoreId = Guid.NewGuid() }, CancellationToken.None);

        Assert.Equal([AlertType.Recovered, AlertType.StatusCritical, AlertType.StatusWarning], all.Items.Select(i => i.Alert.Type));
        Assert.Equal(AlertType.StatusCritical, Assert.Single(critical.Items).Alert.Type);
        Assert.Equal(2, open.TotalCount);
        Assert.Equal(0, other.TotalCount);
    }

    [Fact]
    public async Task Switched_FailoverAndFailback_RaiseAlerts()
    {
        var failover = new FakeFailoverState();
        await using var h = await AlertsHarness.CreateAsync(failover: failover);

        failover.Raise(toBackup: true, h.Core.Time.GetUtcNow());
        h.Core.Time.Advance(TimeSpan.FromMinutes(3));
        failover.Raise(toBackup: false, h.Core.Time.GetUtcNow());
        await h.Centre.WhenWrittenAsync(CancellationToken.None);

        var items = (await List(h)).Items;
        Assert.Equal([AlertType.Failback, AlertType.Failover], items.Select(i => i.Alert.Type));
        Assert.Equal("bao-eu failed over to bao-eu-backup", items[1].Alert.Title);
        Assert.Equal(AlertSeverity.Critical, items[1].Alert.Severity);
        Assert.Equal("primary Critical after 3 consecutive failures", items[1].Alert.Detail);
    }

    [Fact]
    public async Task Writer_DatabaseWriteFails_KeepsTheAlertAndStoresItOnceTheDatabaseRecovers()
    {
        // Only the writer runs, so the one fake-clock timer is its retry delay.
        await using var h = await AlertsHarness.CreateAsync(start: false);
        await h.Centre.StartAsync(CancellationToken.None);
        await h.Core.ExecuteSqlAsync("CREATE TRIGGER fail_alerts BEFORE INSERT ON alerts BEGIN SELECT RAISE(ABORT, 'disk full'); END;");

        Publish(h, KeystoreHealthStatus.Healthy, KeystoreHealthStatus.Critical, failures: 3);
        await Eventually.UntilAsync(() => h.Core.Time.ActiveTimerCount > 0, "the writer waits to retry");
        Assert.Equal(0, await h.Core.CountAsync("alerts"));

        await h.Core.ExecuteSqlAsync("DROP TRIGGER fail_alerts;");
        await Eventually.UntilAsync(() => h.Centre.UnacknowledgedCount == 1, "the alert is stored after the database recovers",
            () => h.Core.Time.Advance(TimeSpan.FromSeconds(1)));

        Assert.Equal(1, await h.Core.CountAsync("alerts"));
    }

    [Fact]
    public async Task RaisedAlert_NeverContainsAnythingButNamesAndPlugInMessages()
    {
        await using var h = await AlertsHarness.CreateAsync();

        Publish(h, KeystoreHealthStatus.Healthy, KeystoreHealthStatus.Critical, failures: 3,
            error: null, exception: new InvalidOperationException("token=s3cr3t-value"));
        await h.Centre.WhenWrittenAsync(CancellationToken.None);

        var alert = Assert.Single((await List(h)).Items).Alert;
        Assert.DoesNotContain("s3cr3t", alert.Detail, StringComparison.Ordinal);
        Assert.Contains("Unexpected InvalidOperationException", alert.Detail, StringComparison.Ordinal);
    }

    private static Task<AlertPage> List(AlertsHarness h) => h.Centre.ListAsync(new AlertQuery(), CancellationToken.None);

    private static void Publish(
        AlertsHarness h, KeystoreHealthStatus? before, KeystoreHealthStatus after, int failures = 0, double averageMs = 20,
        string? error = null, Exception? exception = null)
    {
        var now = h.Core.Time.GetUtcNow();
        var previous = before is { } b ? TestHealth.Create(s_keystore, name: "bao-eu") with { Status = b } : null;
        var lastError = exception is not null
            ? KeystoreHealthError.FromException(exception, now)
            : error is null ? null : new KeystoreHealthError { Kind = Plugins.KeystoreErrorKind.Unavailable, Message = error, At = now };
        var current = TestHealth.Create(s_keystore, name: "bao-eu") with
        {
            Status = after,
            ConsecutiveFailures = failures,
            AverageLatency = TimeSpan.FromMilliseconds(averageMs),
            LastError = lastError,
        };
        h.Centre.OnHealthChanged(previous, current, HealthObservation.Success(HealthObservationSource.Probe, now, TimeSpan.FromMilliseconds(averageMs)));
    }

    private sealed class FakeFailoverState : IKeystoreFailoverState
    {
        public event Action<KeystoreFailoverEvent>? Switched;

        public event Action<Guid>? Changed;

        public KeystoreFailoverState? Get(Guid primaryKeystoreId) => null;

        public void Raise(bool toBackup, DateTimeOffset at)
        {
            Switched?.Invoke(new KeystoreFailoverEvent
            {
                TenantId = Guid.NewGuid(),
                TenantName = "acme",
                PrimaryKeystoreId = s_keystore,
                PrimaryName = "bao-eu",
                BackupKeystoreId = Guid.NewGuid(),
                BackupName = "bao-eu-backup",
                ToBackup = toBackup,
                At = at,
                Reason = toBackup ? "primary Critical after 3 consecutive failures" : "primary healthy for 3 probes",
            });
            Changed?.Invoke(s_keystore);
        }
    }
}
