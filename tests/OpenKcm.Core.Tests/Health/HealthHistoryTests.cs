using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.Operations;
using OpenKcm.Core.Tests.TestSupport;

namespace OpenKcm.Core.Tests.Health;

/// <summary>The history store and writer over a real, migrated SQLite file; the monitor on the same fake clock.</summary>
public sealed class HealthHistoryTests : IAsyncLifetime
{
    private CoreTestContext _ctx = null!;
    private HealthHistoryStore _store = null!;
    private HealthOptions _options = null!;

    public async Task InitializeAsync()
    {
        _ctx = await CoreTestContext.CreateAsync();
        _options = new HealthOptions();
        _store = new HealthHistoryStore(_ctx.Db, Options.Create(_options));
    }

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public async Task FlushAsync_ChangedMinutes_WrittenAndQueryable()
    {
        await using var h = NewHarness();
        var writer = NewWriter(h);
        var keystore = TestKeystores.Create("recorded");
        var start = h.Clock.GetUtcNow();
        Record(h, keystore, 10, 20, 30);
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        Record(h, keystore, 40);
        RecordFailure(h, keystore, "Connection refused.");

        Assert.True(await writer.FlushAsync(CancellationToken.None));
        var samples = await _store.QueryAsync(keystore.Id, start.AddMinutes(-5), start.AddMinutes(5), CancellationToken.None);

        Assert.Equal(2, samples.Count);
        Assert.Equal((3L, 0L, 3L), (samples[0].Successes, samples[0].Failures, samples[0].Operations));
        Assert.Equal(TimeSpan.FromMilliseconds(20), samples[0].AverageLatency);
        Assert.Equal(TimeSpan.FromMilliseconds(30), samples[0].MaxLatency);
        Assert.Equal(TimeSpan.FromMinutes(1), samples[0].Duration);
        Assert.Equal((1L, 1L, 2L), (samples[1].Successes, samples[1].Failures, samples[1].Operations));
        Assert.Equal(h.Clock.GetUtcNow(), writer.Status.LastSuccessAt);
        Assert.Equal((0, 0), (writer.Status.Pending, writer.Status.ConsecutiveFailures));
    }

    [Fact]
    public async Task FlushAsync_SameMinuteWrittenTwice_LaterCopyReplacesTheEarlier()
    {
        await using var h = NewHarness();
        var writer = NewWriter(h);
        var keystore = TestKeystores.Create("partial");
        Record(h, keystore, 10);
        await writer.FlushAsync(CancellationToken.None);
        Record(h, keystore, 30);

        await writer.FlushAsync(CancellationToken.None);

        var sample = Assert.Single(await _store.QueryAsync(keystore.Id, h.Clock.GetUtcNow().AddHours(-1), h.Clock.GetUtcNow().AddHours(1), CancellationToken.None));
        Assert.Equal(2, sample.Operations);
        Assert.Equal(TimeSpan.FromMilliseconds(20), sample.AverageLatency);
    }

    [Fact]
    public async Task FlushAsync_DatabaseWriteFails_KeepsBucketsReportsStatusAndWritesThemOnRetry()
    {
        await using var h = NewHarness();
        var writer = NewWriter(h);
        var keystore = TestKeystores.Create("unlucky");
        await _ctx.ExecuteSqlAsync("CREATE TRIGGER fail_history BEFORE INSERT ON health_history BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
        Record(h, keystore, 10);

        var failed = await writer.FlushAsync(CancellationToken.None);
        var failedStatus = writer.Status;
        Record(h, keystore, 30); // the monitor keeps working meanwhile
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        Record(h, keystore, 50);
        await _ctx.ExecuteSqlAsync("DROP TRIGGER fail_history;");
        var retried = await writer.FlushAsync(CancellationToken.None);

        Assert.False(failed);
        Assert.False(failedStatus.Healthy);
        Assert.Equal(1, failedStatus.Pending);
        Assert.Equal(1, failedStatus.ConsecutiveFailures);
        Assert.Contains("disk full", failedStatus.LastError, StringComparison.Ordinal);
        Assert.Equal(3, h.Health(keystore.Id)!.OperationCount);
        Assert.True(retried);
        Assert.True(writer.Status.Healthy);
        Assert.Equal(0, writer.Status.Dropped);
        var samples = await _store.QueryAsync(keystore.Id, h.Clock.GetUtcNow().AddHours(-1), h.Clock.GetUtcNow().AddHours(1), CancellationToken.None);
        Assert.Equal([2L, 1L], samples.Select(s => s.Operations));
    }

    [Fact]
    public async Task FlushAsync_PendingLimitReachedWhileFailing_DropsOldestAndCountsThem()
    {
        _options.HistoryMaxPendingBuckets = 2;
        await using var h = NewHarness();
        var writer = NewWriter(h);
        var keystore = TestKeystores.Create("overflow");
        await _ctx.ExecuteSqlAsync("CREATE TRIGGER fail_history BEFORE INSERT ON health_history BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
        for (var minute = 0; minute < 5; minute++)
        {
            Record(h, keystore, 10);
            h.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        await writer.FlushAsync(CancellationToken.None);
        await _ctx.ExecuteSqlAsync("DROP TRIGGER fail_history;");
        await writer.FlushAsync(CancellationToken.None);

        Assert.Equal(3, writer.Status.Dropped);
        var samples = await _store.QueryAsync(keystore.Id, h.Clock.GetUtcNow().AddHours(-1), h.Clock.GetUtcNow(), CancellationToken.None);
        Assert.Equal(2, samples.Count); // the two newest minutes
        Assert.Equal(h.Clock.GetUtcNow().AddMinutes(-2), samples[0].Start);
    }

    [Fact]
    public async Task Monitor_Restart_RestoresHourAndDayWindowsFromHistory()
    {
        var keystore = TestKeystores.Create("survivor");
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
        await using (var before = NewHarness(clock))
        {
            var writer = NewWriter(before);
            Record(before, keystore, 10, 20);
            clock.Advance(TimeSpan.FromMinutes(30));
            Record(before, keystore, 30);
            await writer.FlushAsync(CancellationToken.None);
        }

        clock.Advance(TimeSpan.FromMinutes(5));
        await using var after = NewHarness(clock);
        after.Catalog.SetActive(keystore);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        after.Plugin.OnProbe = (_, ct) => gate.Task.WaitAsync(ct);
        await after.StartAsync();
        await Eventually.UntilAsync(() => after.Health(keystore.Id) is not null, "the keystore is monitored again");
        var restored = after.Health(keystore.Id)!;
        gate.SetResult();

        Assert.Equal(KeystoreHealthStatus.Unknown, restored.Status);
        Assert.Equal(3, restored.Windows.LastHour.Operations);
        Assert.Equal(3, restored.Windows.LastDay.Operations);
        Assert.Equal(TimeSpan.FromMilliseconds(20), restored.Windows.LastHour.AverageLatency);
        Assert.Equal(0, restored.Windows.LastMinute.Operations);
    }

    [Fact]
    public async Task MaintainAsync_OldMinutes_RolledUpIntoHoursAndExpiredHoursDeleted()
    {
        var now = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var keystore = Guid.NewGuid();
        var threeDaysAgo = now.AddDays(-3);
        await _store.UpsertAsync(
        [
            Minute(keystore, threeDaysAgo, operations: 2, latencyMs: 10),
            Minute(keystore, threeDaysAgo.AddMinutes(59), operations: 3, latencyMs: 40),
            Minute(keystore, now.AddHours(-1), operations: 7, latencyMs: 5),
            Minute(keystore, now.AddDays(-40), operations: 1, latencyMs: 5),
        ], CancellationToken.None);

        var deleted = await _store.MaintainAsync(now, CancellationToken.None);

        var old = await _store.QueryAsync(keystore, threeDaysAgo, threeDaysAgo.AddHours(1), CancellationToken.None);
        var hour = Assert.Single(old);
        Assert.Equal(TimeSpan.FromHours(1), hour.Duration);
        Assert.Equal(5, hour.Operations);
        Assert.Equal(TimeSpan.FromMilliseconds(28), hour.AverageLatency);
        Assert.Equal(TimeSpan.FromMilliseconds(40), hour.MaxLatency);
        Assert.Empty(await _store.QueryAsync(keystore, now.AddDays(-41), now.AddDays(-39), CancellationToken.None));
        Assert.Single(await _store.QueryAsync(keystore, now.AddHours(-2), now, CancellationToken.None));
        Assert.Equal(4, deleted); // three minute rows rolled up, one expired hour row
        Assert.Equal(2, await _ctx.CountAsync("health_history"));
    }

    [Fact]
    public async Task QueryAsync_EmptyOrReversedRange_ReturnsNothing()
    {
        var now = DateTimeOffset.UtcNow;
        await _store.UpsertAsync([Minute(Guid.NewGuid(), now, 1, 1)], CancellationToken.None);

        Assert.Empty(await _store.QueryAsync(Guid.NewGuid(), now.AddHours(-1), now.AddHours(1), CancellationToken.None));
        Assert.Empty(await _store.QueryAsync(Guid.NewGuid(), now, now.AddHours(-1), CancellationToken.None));
    }

    private MonitorHarness NewHarness(ManualTimeProvider? clock = null) =>
        new(history: _store, clock: clock ?? new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero)),
            configure: o => o.HistoryMaxPendingBuckets = _options.HistoryMaxPendingBuckets);

    private HealthHistoryWriter NewWriter(MonitorHarness h) =>
        new(h.Monitor, _store, h.Clock, Options.Create(_options), NullLogger<HealthHistoryWriter>.Instance);

    private static void Record(MonitorHarness h, ActiveKeystore keystore, params double[] latenciesMs)
    {
        foreach (var ms in latenciesMs)
        {
            h.Monitor.Record(keystore, HealthObservation.Success(HealthObservationSource.Operation, h.Clock.GetUtcNow(), TimeSpan.FromMilliseconds(ms)));
        }
    }

    private static void RecordFailure(MonitorHarness h, ActiveKeystore keystore, string message)
    {
        var now = h.Clock.GetUtcNow();
        h.Monitor.Record(keystore, HealthObservation.Failure(HealthObservationSource.Operation, now, TimeSpan.FromMilliseconds(5),
            new KeystoreHealthError { Kind = KeystoreErrorKind.Unreachable, Message = message, At = now }));
    }

    private static HealthBucketSnapshot Minute(Guid keystoreId, DateTimeOffset start, long operations, double latencyMs)
    {
        var bins = new long[LatencyHistogram.BinCount];
        bins[LatencyHistogram.BinOf(TimeSpan.FromMilliseconds(latencyMs))] = operations;
        var ticks = TimeSpan.FromMilliseconds(latencyMs).Ticks;
        return new HealthBucketSnapshot
        {
            KeystoreId = keystoreId,
            Start = new DateTimeOffset(start.UtcTicks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero),
            Duration = TimeSpan.FromMinutes(1),
            Operations = operations,
            Successes = operations,
            LatencySumTicks = ticks * operations,
            MaxLatencyTicks = ticks,
            Bins = bins,
        };
    }
}
