using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.Health;

namespace OpenKcm.Core.Tests.Operations;

public sealed class KeyOperationRouterTests : IAsyncDisposable
{
    private static readonly byte[] s_plaintext = [1, 2, 3, 4];
    private static readonly byte[] s_aad = [9, 9];
    private static readonly Actor s_actor = new("user-1", "admin@acme.test");

    private readonly FakeKeystoreCatalog _catalog = new();
    private readonly FakeKeystorePlugin _plugin = new();
    private readonly ManualTimeProvider _clock = new();
    private readonly RecordingHealthRecorder _health = new();
    private readonly RecordingAuditSink _audit = new();
    private readonly ActiveKeystore _keystore = TestKeystores.Create("primary");
    private readonly KeystoreConnectionManager _connections;
    private readonly KeyOperationRouter _router;

    public KeyOperationRouterTests()
    {
        _catalog.SetActive(_keystore);
        var options = Options.Create(new KeyOperationOptions
        {
            MaxRetryAttempts = 3,
            RetryBaseDelay = TimeSpan.Zero, // backoff is exercised through RetryAfter with the manual clock
            MaxRetryDelay = TimeSpan.FromSeconds(5),
        });
        _connections = new KeystoreConnectionManager(
            _catalog, new PluginRegistry([_plugin]), _clock, options, NullLogger<KeystoreConnectionManager>.Instance);
        _router = new KeyOperationRouter(_connections, _health, _audit, _clock, options, NullLogger<KeyOperationRouter>.Instance);
    }

    public ValueTask DisposeAsync() => _connections.DisposeAsync();

    private FakeKeystoreConnection Connection => Assert.Single(_plugin.Connections);

    [Fact]
    public async Task WrapAsync_RetryableErrorsThenSuccess_RetriesAndReturnsResult()
    {
        var calls = 0;
        _plugin.OnWrap = (_, plaintext, _) => ++calls <= 2
            ? throw new KeystoreException(KeystoreErrorKind.Unavailable, "Standby node.")
            : Task.FromResult(plaintext.ToArray().Reverse().ToArray());

        var wrapped = await _router.WrapAsync(_keystore.Id, s_plaintext, s_aad, s_actor, CancellationToken.None);

        Assert.Equal([4, 3, 2, 1], wrapped);
        Assert.Equal(3, Connection.WrapCalls);
        var record = Assert.Single(_audit.Records);
        Assert.Equal(KeyOperationOutcome.Succeeded, record.Outcome);
        Assert.Equal(3, record.Attempts);
        Assert.Null(record.ErrorKind);
        Assert.Equal([false, false, true], _health.Observations.Select(o => o.Observation.Succeeded));
        Assert.All(_health.Observations, o => Assert.Equal(HealthObservationSource.Operation, o.Observation.Source));
    }

    [Fact]
    public async Task WrapAsync_NonRetryableError_FailsAfterOneAttempt()
    {
        _plugin.OnWrap = (_, _, _) => throw new KeystoreException(KeystoreErrorKind.PermissionDenied, "Not allowed: kms:Encrypt.") { Permission = "kms:Encrypt" };

        var error = await Assert.ThrowsAsync<KeystoreException>(
            () => _router.WrapAsync(_keystore.Id, s_plaintext, s_aad, s_actor, CancellationToken.None));

        Assert.Equal(KeystoreErrorKind.PermissionDenied, error.Kind);
        Assert.Equal(1, Connection.WrapCalls);
        var record = Assert.Single(_audit.Records);
        Assert.Equal(KeyOperationOutcome.Failed, record.Outcome);
        Assert.Equal(1, record.Attempts);
        Assert.Equal(KeystoreErrorKind.PermissionDenied, record.ErrorKind);
        Assert.Equal("Not allowed: kms:Encrypt.", record.ErrorMessage);
        Assert.False(Assert.Single(_health.Observations).Observation.Succeeded);
    }

    [Fact]
    public async Task WrapAsync_RetryableErrorPersists_GivesUpAfterMaxRetries()
    {
        _plugin.OnWrap = (_, _, _) => throw new KeystoreException(KeystoreErrorKind.Unreachable, "Connection refused.");

        var error = await Assert.ThrowsAsync<KeystoreException>(
            () => _router.WrapAsync(_keystore.Id, s_plaintext, s_aad, s_actor, CancellationToken.None));

        Assert.Equal(KeystoreErrorKind.Unreachable, error.Kind);
        Assert.Equal(4, Connection.WrapCalls); // 1 + MaxRetryAttempts
        Assert.Equal(4, Assert.Single(_audit.Records).Attempts);
        Assert.Equal(4, _health.Observations.Count);
    }

    [Fact]
    public async Task WrapAsync_Throttled_WaitsTheRequestedRetryAfterOnTheClock()
    {
        var calls = 0;
        _plugin.OnWrap = (_, plaintext, _) => ++calls == 1
            ? throw new KeystoreException(KeystoreErrorKind.Throttled, "Rate exceeded.") { RetryAfter = TimeSpan.FromSeconds(2) }
            : Task.FromResult(plaintext.ToArray());

        var wrap = _router.WrapAsync(_keystore.Id, s_plaintext, s_aad, s_actor, CancellationToken.None);
        await Eventually.UntilAsync(() => _plugin.Connections.Sum(c => c.WrapCalls) == 1, "the first attempt is throttled");
        var completedBeforeRetryAfter = wrap.IsCompleted;
        await Eventually.UntilAsync(() => wrap.IsCompleted, "the retry runs after 2 s", () => _clock.Advance(TimeSpan.FromSeconds(1)));

        Assert.False(completedBeforeRetryAfter);
        Assert.Equal(s_plaintext, await wrap);
        Assert.Equal(2, Connection.WrapCalls);
        Assert.True(Assert.Single(_audit.Records).Duration >= TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task UnwrapAsync_Succeeds_RecordedInMonitorHealthAndAuditedWithoutKeyMaterial()
    {
        var feed = new HealthFeed(_clock, Options.Create(new HealthOptions()));
        using var monitor = new KeystoreHealthMonitor(
            _catalog, new PluginRegistry([_plugin]), _connections, feed, _clock, Options.Create(new HealthOptions()), NullLogger<KeystoreHealthMonitor>.Instance);
        var router = new KeyOperationRouter(
            _connections, monitor, _audit, _clock, Options.Create(new KeyOperationOptions()), NullLogger<KeyOperationRouter>.Instance);

        var plaintext = await router.UnwrapAsync(_keystore.Id, new byte[] { 7, 8 }, s_aad, s_actor, CancellationToken.None);

        Assert.Equal([8, 7], plaintext);
        var health = feed.Find(_keystore.Id)!;
        Assert.Equal(1, health.OperationCount);
        Assert.Equal(1, health.SuccessCount);
        Assert.Equal(KeystoreHealthStatus.Healthy, health.Status);
        var record = Assert.Single(_audit.Records);
        Assert.Equal(KeyOperationKind.Unwrap, record.Operation);
        Assert.Equal(s_actor, record.Actor);
        Assert.Equal(_keystore.Id, record.KeystoreId);
        Assert.Equal(_keystore.TenantId, record.TenantId);
        Assert.Equal("primary", record.KeystoreName);
        Assert.Equal(1, record.KeystoreVersion);
        Assert.Equal(_clock.GetUtcNow(), record.StartedAt);
    }

    [Fact]
    public void OperationRecord_Shape_HasNoPlaceForKeyMaterial()
    {
        var byteTypes = new[] { typeof(byte[]), typeof(ReadOnlyMemory<byte>), typeof(Memory<byte>), typeof(ArraySegment<byte>) };

        var properties = typeof(OperationRecord).GetProperties();

        Assert.DoesNotContain(properties, p => byteTypes.Contains(p.PropertyType));
    }

    [Fact]
    public async Task WrapAsync_AuditWriteFails_OperationFails()
    {
        _audit.FailWith = new IOException("Disk full.");

        await Assert.ThrowsAsync<IOException>(
            () => _router.WrapAsync(_keystore.Id, s_plaintext, s_aad, s_actor, CancellationToken.None));

        Assert.Equal(1, Connection.WrapCalls);
    }

    [Fact]
    public async Task WrapAsync_KeystoreNotActive_ThrowsWithoutReachingAKeystore()
    {
        var unknown = Guid.NewGuid();

        var error = await Assert.ThrowsAsync<KeystoreNotActiveException>(
            () => _router.WrapAsync(unknown, s_plaintext, s_aad, s_actor, CancellationToken.None));

        Assert.Equal(unknown, error.KeystoreId);
        Assert.Equal(0, _plugin.ConnectCalls);
        Assert.Empty(_audit.Records);
        Assert.Empty(_health.Observations);
    }

    [Fact]
    public async Task WrapAsync_CallerCancels_AuditedAsCancelledAndNotCountedAgainstHealth()
    {
        using var cts = new CancellationTokenSource();
        _plugin.OnWrap = async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return [];
        };

        var wrap = _router.WrapAsync(_keystore.Id, s_plaintext, s_aad, s_actor, cts.Token);
        await Eventually.UntilAsync(() => _plugin.Connections.Sum(c => c.WrapCalls) == 1, "the operation reaches the keystore");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wrap);
        Assert.Equal(KeyOperationOutcome.Cancelled, Assert.Single(_audit.Records).Outcome);
        Assert.Empty(_health.Observations);
    }

    [Fact]
    public async Task WrapAsync_VersionChangesBetweenRetries_RetryUsesNewVersion()
    {
        _plugin.OnWrap = (settings, plaintext, _) =>
        {
            if (settings.GetInt(TestKeystores.VersionField) == 1)
            {
                _catalog.SetActive(TestKeystores.NextVersion(_keystore));
                throw new KeystoreException(KeystoreErrorKind.Unavailable, "Being reconfigured.");
            }

            return Task.FromResult(plaintext.ToArray());
        };

        await _router.WrapAsync(_keystore.Id, s_plaintext, s_aad, s_actor, CancellationToken.None);

        Assert.Equal(2, Assert.Single(_audit.Records).KeystoreVersion);
        Assert.Equal([1, 2], _plugin.Connections.Select(c => c.Version));
    }
}
