using Microsoft.Extensions.Logging.Abstractions;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.AwsKms;

namespace OpenKcm.Providers.Tests.AwsKms;

/// <summary>The session cache on a manual clock, with an assume function the test controls (STS is tested over HTTP elsewhere).</summary>
public sealed class AwsSessionCacheTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly List<TaskCompletionSource<AwsSession>> _pending = [];

    /// <summary>Completes when the first AssumeRole is waiting in <see cref="_pending"/>.</summary>
    private readonly TaskCompletionSource _firstPending = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    [Fact]
    public async Task Get_OneHourSession_RefreshesAt80PercentNotBefore()
    {
        var cache = Cache(immediate: true, lifetime: TimeSpan.FromHours(1));
        var first = await cache.GetAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(47));
        Assert.Same(first, await cache.GetAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = await cache.GetAsync(CancellationToken.None);

        Assert.NotSame(first, second);
        Assert.Equal(2, cache.AssumeRoleCount);
        Assert.Equal(first.ObtainedAt + TimeSpan.FromMinutes(48), first.RefreshAt);
    }

    [Fact]
    public void Session_TwelveHours_RefreshesFiveMinutesBeforeExpiryIfThatIsEarlier()
    {
        var now = _time.GetUtcNow();
        var fifteen = new AwsSession("ASIA1", "s", "t", now, now + TimeSpan.FromMinutes(15), "arn");
        var twelveHours = new AwsSession("ASIA1", "s", "t", now, now + TimeSpan.FromHours(12), "arn");

        Assert.Equal(now + TimeSpan.FromMinutes(10), fifteen.RefreshAt);
        Assert.Equal(now + TimeSpan.FromHours(9.6), twelveHours.RefreshAt);
    }

    [Fact]
    public async Task Get_ConcurrentCallersWhenDue_ShareOneAssumeRole()
    {
        var cache = Cache(immediate: false, lifetime: TimeSpan.FromHours(1));

        var callers = Enumerable.Range(0, 8).Select(_ => cache.GetAsync(CancellationToken.None).AsTask()).ToList();
        await _firstPending.Task.WaitAsync(TimeSpan.FromSeconds(10));
        _pending[0].SetResult(Session(TimeSpan.FromHours(1)));
        var sessions = await Task.WhenAll(callers);

        Assert.Equal(1, _calls);
        Assert.All(sessions, s => Assert.Same(sessions[0], s));
    }

    [Fact]
    public async Task Get_CallerCancelsWhileRefreshing_OthersStillGetTheSession()
    {
        var cache = Cache(immediate: false, lifetime: TimeSpan.FromHours(1));
        using var cts = new CancellationTokenSource();

        var cancelled = cache.GetAsync(cts.Token).AsTask();
        var patient = cache.GetAsync(CancellationToken.None).AsTask();
        await _firstPending.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        _pending[0].SetResult(Session(TimeSpan.FromHours(1)));

        Assert.NotNull(await patient);
        Assert.Equal(1, _calls);
    }

    [Fact]
    public async Task Get_RefreshFailsWhileSessionStillUsable_KeepsTheSessionAndRetriesLater()
    {
        var cache = Cache(immediate: true, lifetime: TimeSpan.FromHours(1));
        var first = await cache.GetAsync(CancellationToken.None);
        _fail = new KeystoreException(KeystoreErrorKind.Unavailable, "STS failed internally.");

        _time.Advance(TimeSpan.FromMinutes(50));
        Assert.Same(first, await cache.GetAsync(CancellationToken.None));
        Assert.Same(first, await cache.GetAsync(CancellationToken.None));
        Assert.Equal(2, _calls);

        _fail = null;
        _time.Advance(AwsSessionCache.RetryAfterFailure);
        Assert.NotSame(first, await cache.GetAsync(CancellationToken.None));
        Assert.Equal(3, _calls);
    }

    [Fact]
    public async Task Get_SessionExpiredAndRefreshFails_ThrowsWithTheCause()
    {
        var cache = Cache(immediate: true, lifetime: TimeSpan.FromHours(1));
        _ = await cache.GetAsync(CancellationToken.None);
        _fail = new KeystoreException(KeystoreErrorKind.PermissionDenied, "The role's trust policy refused sts:AssumeRole.") { Permission = "sts:AssumeRole" };

        _time.Advance(TimeSpan.FromHours(1));
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => cache.GetAsync(CancellationToken.None).AsTask());

        Assert.Equal(KeystoreErrorKind.PermissionDenied, ex.Kind);
        Assert.Equal("sts:AssumeRole", ex.Permission);
        Assert.Contains("expired", ex.Message);
        Assert.Contains("trust policy refused", ex.Message);
    }

    [Fact]
    public async Task Get_SessionExpiredAndRefreshFailed_CallersGetThatFailureUntilTheRetryPause()
    {
        var cache = Cache(immediate: true, lifetime: TimeSpan.FromHours(1));
        _ = await cache.GetAsync(CancellationToken.None);
        _fail = new KeystoreException(KeystoreErrorKind.Unavailable, "STS failed internally.") { VendorCode = "InternalFailure" };
        _time.Advance(TimeSpan.FromHours(1));
        await Assert.ThrowsAsync<KeystoreException>(() => cache.GetAsync(CancellationToken.None).AsTask());
        Assert.Equal(2, _calls);

        _fail = null;
        _time.Advance(AwsSessionCache.RetryAfterFailure - TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5; i++)
        {
            var ex = await Assert.ThrowsAsync<KeystoreException>(() => cache.GetAsync(CancellationToken.None).AsTask());
            Assert.Equal(KeystoreErrorKind.Unavailable, ex.Kind);
            Assert.Equal("InternalFailure", ex.VendorCode);
            Assert.Contains("STS failed internally.", ex.Message);
            Assert.Contains("expired", ex.Message);
        }

        Assert.Equal(2, _calls);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(await cache.GetAsync(CancellationToken.None));
        Assert.Equal(3, _calls);
    }

    [Fact]
    public async Task Get_FirstAssumeRoleFailed_PausesBeforeTheNextAttempt()
    {
        var cache = Cache(immediate: true, lifetime: TimeSpan.FromHours(1));
        _fail = new KeystoreException(KeystoreErrorKind.PermissionDenied, "The role's trust policy refused sts:AssumeRole.") { Permission = "sts:AssumeRole" };
        await Assert.ThrowsAsync<KeystoreException>(() => cache.GetAsync(CancellationToken.None).AsTask());

        _fail = null;
        var again = await Assert.ThrowsAsync<KeystoreException>(() => cache.GetAsync(CancellationToken.None).AsTask());

        Assert.Equal(1, _calls);
        Assert.Equal("sts:AssumeRole", again.Permission);
        Assert.Contains("Could not assume the role", again.Message);
        _time.Advance(AwsSessionCache.RetryAfterFailure);
        Assert.NotNull(await cache.GetAsync(CancellationToken.None));
        Assert.Equal(2, _calls);
    }

    [Fact]
    public void Session_ToString_RedactsTheSecretAndToken()
    {
        var session = new AwsSession("ASIAEXAMPLE", "secret-value", "token-value", _time.GetUtcNow(), _time.GetUtcNow().AddHours(1), "arn:x");

        Assert.DoesNotContain("secret-value", session.ToString());
        Assert.DoesNotContain("token-value", session.ToString());
    }

    private KeystoreException? _fail;

    private AwsSessionCache Cache(bool immediate, TimeSpan lifetime) =>
        new(_ =>
        {
            Interlocked.Increment(ref _calls);
            if (_fail is { } fail)
            {
                return Task.FromException<AwsSession>(fail);
            }

            if (immediate)
            {
                return Task.FromResult(Session(lifetime));
            }

            var tcs = new TaskCompletionSource<AwsSession>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_pending)
            {
                _pending.Add(tcs);
            }

            _firstPending.TrySetResult();

            return tcs.Task;
        }, "arn:aws:iam::123456789012:role/OpenKCM", _time, NullLogger.Instance);

    private AwsSession Session(TimeSpan lifetime)
    {
        var now = _time.GetUtcNow();
        return new AwsSession($"ASIA{_calls}", "secret", "token", now, now + lifetime, "arn:aws:sts::123456789012:assumed-role/OpenKCM/s");
    }
}
