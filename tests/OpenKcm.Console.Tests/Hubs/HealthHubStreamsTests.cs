using System.Security.Claims;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenKcm.Console.Hubs;
using OpenKcm.Console.Identity.DisplayTokens;
using OpenKcm.Console.Tests.Identity;
using OpenKcm.Core.Health;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Tests.Hubs;

/// <summary>
/// The hub's streams over the real <see cref="HealthFeed"/> and <see cref="DisplayTokenService"/> (SQLite), on a manual
/// clock: snapshot first, changes, heartbeats, release of the feed subscription, and revocation ending the stream.
/// The same streams are driven through SignalR by @microsoft/signalr in e2e (HealthHubTests).
/// </summary>
public sealed class HealthHubStreamsTests : DisplayTokenTestContext
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    private readonly HealthFeed _feed;
    private readonly HealthHubStreams _streams;
    private int _aborts;

    public HealthHubStreamsTests()
    {
        _feed = new HealthFeed(Time, Options.Create(new HealthOptions { FeedBatchInterval = TimeSpan.Zero }));
        Services.AddSingleton(_feed);
        Services.AddSingleton(Options.Create(new HealthHubOptions { HeartbeatInterval = TimeSpan.FromSeconds(5), StreamBufferCapacity = 4 }));
        Services.AddSingleton<HealthHubStreams>();
        _streams = Services.GetRequiredService<HealthHubStreams>();
    }

    private ClaimsPrincipal _operator = new();

    private string _operatorId = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var (principal, user) = await SignedInUserAsync("olga@example.test", OpenKcm.Console.Identity.Roles.Operator);
        _operator = principal;
        _operatorId = user.Id;
    }

    [Fact]
    public async Task OpenAsync_KeystoreInFeed_SnapshotFirstThenChangesInMilliseconds()
    {
        var keystore = Health("vault-a", KeystoreHealthStatus.Healthy, TimeSpan.FromMilliseconds(12.5));
        _feed.Upsert(keystore);
        using var cts = new CancellationTokenSource();

        var reader = await _streams.OpenAsync(_operator, () => _aborts++, cts.Token);
        var snapshot = await ReadAsync(reader);
        _feed.Upsert(keystore with { Status = KeystoreHealthStatus.Critical });
        var changes = await ReadAsync(reader);

        Assert.Equal("snapshot", snapshot.Type);
        Assert.Equal(1, snapshot.ContractVersion);
        var dto = Assert.Single(snapshot.Keystores!);
        Assert.Equal("vault-a", dto.Name);
        Assert.Equal("Healthy", dto.Status);
        Assert.Equal(12.5, dto.AverageLatencyMs);
        Assert.Equal(60, dto.Windows.LastMinute.WindowSeconds);
        Assert.Equal("changes", changes.Type);
        var change = Assert.Single(changes.Changes!);
        Assert.Equal(KeystoreHealthChangeDto.Upserted, change.Kind);
        Assert.Equal("Critical", change.Keystore!.Status);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task OpenAsync_QuietFeed_HeartbeatEveryInterval()
    {
        using var cts = new CancellationTokenSource();
        var reader = await _streams.OpenAsync(_operator, () => _aborts++, cts.Token);
        await ReadAsync(reader);

        await WaitForTimerAsync();
        Time.Advance(TimeSpan.FromSeconds(5));
        var heartbeat = await ReadAsync(reader);

        Assert.Equal("heartbeat", heartbeat.Type);
        Assert.Equal(Time.GetUtcNow(), heartbeat.ServerTime);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task OpenAsync_StreamCancelled_FeedSubscriptionReleasedAndStreamCompletes()
    {
        var before = _feed.SubscriberCount;
        using var cts = new CancellationTokenSource();
        var reader = await _streams.OpenAsync(_operator, () => _aborts++, cts.Token);
        Assert.Equal(before + 1, _feed.SubscriberCount);

        await cts.CancelAsync();

        // Completion needs the buffer drained too (SignalR reads every item): the snapshot is still in it.
        await foreach (var _ in reader.ReadAllAsync().WithCancellation(new CancellationTokenSource(s_wait).Token))
        {
        }

        await reader.Completion.WaitAsync(s_wait);
        Assert.Equal(before, _feed.SubscriberCount);
        Assert.Equal(0, _aborts);
    }

    [Fact]
    public async Task OpenAsync_SlowConsumer_BufferStaysBoundedAndLatestStateArrives()
    {
        var keystore = Health("vault-a", KeystoreHealthStatus.Healthy, TimeSpan.FromMilliseconds(1));
        _feed.Upsert(keystore);
        using var cts = new CancellationTokenSource();
        var reader = await _streams.OpenAsync(_operator, () => _aborts++, cts.Token);

        // Nobody reads while 200 changes are published: the stream's buffer (4) fills, the rest waits in the feed,
        // coalesced per keystore.
        for (var i = 0; i < 200; i++)
        {
            _feed.Upsert(keystore with { ConsecutiveFailures = i + 1 });
        }

        Assert.True(reader.Count <= 4, $"{reader.Count} messages buffered");
        var last = 0;
        while (last != 200)
        {
            var message = await ReadAsync(reader);
            if (message.Changes is { } changes)
            {
                last = changes[^1].Keystore!.ConsecutiveFailures;
            }
        }

        Assert.Equal(200, last);
        await cts.CancelAsync();
    }

    [Fact]
    public async Task OpenAsync_DisplayTokenRevoked_StreamEndsWithReasonAndConnectionIsAborted()
    {
        var (created, _) = await Tokens.CreateAsync("wall", Time.GetUtcNow().AddDays(1), Admin, CancellationToken.None);
        var display = DisplayPrincipal.Create(created!.Info, DisplayAuthentication.BearerScheme);
        var before = _feed.SubscriberCount;
        var aborted = new TaskCompletionSource();
        var reader = await _streams.OpenAsync(display, () => aborted.TrySetResult(), CancellationToken.None);
        await ReadAsync(reader);

        await Tokens.RevokeAsync(created.Info.Id, Admin, CancellationToken.None);

        var error = await Assert.ThrowsAsync<HubException>(() => reader.Completion.WaitAsync(s_wait));
        Assert.Contains("revoked", error.Message, StringComparison.Ordinal);
        await WaitUntilAsync(() => _feed.SubscriberCount == before);
        // The connection is closed a second (server clock) after the stream ended, so the reason reaches the client.
        await WaitUntilAsync(() =>
        {
            Time.Advance(TimeSpan.FromMilliseconds(250));
            return aborted.Task.IsCompleted;
        });
    }

    [Fact]
    public async Task OpenAsync_DisplayTokenExpires_StreamEndsAtTheNextHeartbeat()
    {
        var (created, _) = await Tokens.CreateAsync("wall", Time.GetUtcNow().AddSeconds(7), Admin, CancellationToken.None);
        var display = DisplayPrincipal.Create(created!.Info, DisplayAuthentication.BearerScheme);
        var reader = await _streams.OpenAsync(display, () => _aborts++, CancellationToken.None);
        await ReadAsync(reader);
        await WaitForTimerAsync();
        Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("heartbeat", (await ReadAsync(reader)).Type);

        Time.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<HubException>(() => reader.Completion.WaitAsync(s_wait));
    }

    [Fact]
    public async Task OpenAsync_RevokedTokenStillInAPrincipal_Refused()
    {
        var (created, _) = await Tokens.CreateAsync("wall", Time.GetUtcNow().AddDays(1), Admin, CancellationToken.None);
        await Tokens.RevokeAsync(created!.Info.Id, Admin, CancellationToken.None);
        var before = _feed.SubscriberCount;

        await Assert.ThrowsAsync<HubException>(() =>
            _streams.OpenAsync(DisplayPrincipal.Create(created.Info, DisplayAuthentication.CookieScheme), () => _aborts++, CancellationToken.None));
        Assert.Equal(before, _feed.SubscriberCount);
    }

    [Fact]
    public async Task OpenAsync_UserLockedOutWhileWatching_StreamEndsAtTheNextHeartbeatAndConnectionIsAborted()
    {
        var before = _feed.SubscriberCount;
        var aborted = new TaskCompletionSource();
        var reader = await _streams.OpenAsync(_operator, () => aborted.TrySetResult(), CancellationToken.None);
        await ReadAsync(reader);
        await WaitForTimerAsync();
        Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("heartbeat", (await ReadAsync(reader)).Type);

        await ChangeUserAsync(_operatorId, (users, user) => users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue));
        Time.Advance(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<HubException>(() => reader.Completion.WaitAsync(s_wait));
        Assert.Contains("sign in again", error.Message, StringComparison.Ordinal);
        await WaitUntilAsync(() => _feed.SubscriberCount == before);
        await WaitUntilAsync(() =>
        {
            Time.Advance(TimeSpan.FromMilliseconds(250));
            return aborted.Task.IsCompleted;
        });
    }

    [Fact]
    public async Task OpenAsync_SecurityStampRenewedWhileWatching_StreamEnds()
    {
        var reader = await _streams.OpenAsync(_operator, () => _aborts++, CancellationToken.None);
        await ReadAsync(reader);
        await WaitForTimerAsync();

        // What a role change or a lock does (UserAdministration).
        await ChangeUserAsync(_operatorId, (users, user) => users.UpdateSecurityStampAsync(user));
        Time.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in reader.ReadAllAsync().WithCancellation(new CancellationTokenSource(s_wait).Token))
            {
            }
        });
    }

    [Fact]
    public async Task OpenAsync_UserDeleted_Refused()
    {
        await ChangeUserAsync(_operatorId, (users, user) => users.DeleteAsync(user));
        var before = _feed.SubscriberCount;

        var error = await Assert.ThrowsAsync<HubException>(() => _streams.OpenAsync(_operator, () => _aborts++, CancellationToken.None));
        Assert.Contains("sign in again", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _feed.SubscriberCount);
    }

    private static async Task<HealthHubMessage> ReadAsync(ChannelReader<HealthHubMessage> reader) =>
        await reader.ReadAsync().AsTask().WaitAsync(s_wait);

    private Task WaitForTimerAsync() => WaitUntilAsync(() => Time.ActiveTimerCount > 0);

    private static Task WaitUntilAsync(Func<bool> condition) => Eventually.UntilAsync(condition, "the hub stream reached the expected state", timeout: s_wait);

    private static KeystoreHealth Health(string name, KeystoreHealthStatus status, TimeSpan average) => new()
    {
        KeystoreId = Guid.NewGuid(),
        TenantId = Guid.NewGuid(),
        TenantName = "default",
        Name = name,
        Kind = "openbao",
        Version = 1,
        Status = status,
        Thresholds = new HealthThresholds { WarningLatency = TimeSpan.FromMilliseconds(200) },
        LastLatency = average,
        AverageLatency = average,
        P95Latency = average,
        LastProbeAt = null,
        LastError = null,
        ConsecutiveFailures = 0,
        SuccessCount = 1,
        FailureCount = 0,
        OperationCount = 0,
    };
}
