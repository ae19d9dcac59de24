using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.Health;

namespace OpenKcm.Core.Tests.Operations;

public sealed class KeystoreConnectionManagerTests : IAsyncDisposable
{
    private readonly FakeKeystoreCatalog _catalog = new();
    private readonly FakeKeystorePlugin _plugin = new();
    private readonly ManualTimeProvider _clock = new();
    private readonly KeystoreConnectionManager _manager;

    public KeystoreConnectionManagerTests() =>
        _manager = new KeystoreConnectionManager(
            _catalog,
            new PluginRegistry([_plugin]),
            _clock,
            Options.Create(new KeyOperationOptions { ConnectTimeout = TimeSpan.FromSeconds(30) }),
            NullLogger<KeystoreConnectionManager>.Instance);

    public ValueTask DisposeAsync() => _manager.DisposeAsync();

    [Fact]
    public async Task AcquireAsync_ConcurrentCallers_ShareOneConnectAttempt()
    {
        var keystore = TestKeystores.Create("shared");
        _catalog.SetActive(keystore);
        var connectGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _plugin.OnConnect = (_, _) => connectGate.Task;

        var callers = Enumerable.Range(0, 8).Select(_ => Task.Run(() => _manager.AcquireAsync(keystore.Id, CancellationToken.None))).ToArray();
        await Eventually.UntilAsync(() => _plugin.ConnectCalls == 1, "the connect attempt starts");
        connectGate.SetResult();
        var leases = await Task.WhenAll(callers).WaitAsync(Eventually.DefaultTimeout);

        Assert.Equal(1, _plugin.ConnectCalls);
        Assert.Single(leases.Select(l => l.Connection).Distinct());
        foreach (var lease in leases)
        {
            lease.Dispose();
        }

        Assert.False(Assert.Single(_plugin.Connections).IsDisposed); // pooled, not closed after use
    }

    [Fact]
    public async Task AcquireAsync_AfterVersionChange_ReplacesConnectionAndDisposesOldOne()
    {
        var v1 = TestKeystores.Create("rotating");
        _catalog.SetActive(v1);
        FakeKeystoreConnection first;
        using (var lease = await _manager.AcquireAsync(v1.Id, CancellationToken.None))
        {
            first = (FakeKeystoreConnection)lease.Connection;
        }

        _catalog.SetActive(TestKeystores.NextVersion(v1));
        await Eventually.UntilAsync(() => first.IsDisposed, "the version 1 connection is disposed");
        using var second = await _manager.AcquireAsync(v1.Id, CancellationToken.None);

        Assert.NotSame(first, second.Connection);
        Assert.Equal(2, second.Keystore.Version);
        Assert.Equal(2, ((FakeKeystoreConnection)second.Connection).Version);
        Assert.Equal(1, first.DisposeCalls);
        Assert.False(((FakeKeystoreConnection)second.Connection).IsDisposed);
    }

    [Fact]
    public async Task VersionChange_WhileLeaseHeld_OldConnectionDisposedOnlyAfterRelease()
    {
        var v1 = TestKeystores.Create("busy");
        _catalog.SetActive(v1);
        var inFlight = await _manager.AcquireAsync(v1.Id, CancellationToken.None);

        _catalog.SetActive(TestKeystores.NextVersion(v1));
        using var next = await _manager.AcquireAsync(v1.Id, CancellationToken.None);
        var disposedWhileLeased = ((FakeKeystoreConnection)inFlight.Connection).IsDisposed;
        inFlight.Dispose();

        Assert.Equal(2, next.Keystore.Version);
        Assert.False(disposedWhileLeased);
        await Eventually.UntilAsync(() => ((FakeKeystoreConnection)inFlight.Connection).IsDisposed, "the old connection is disposed after release");
    }

    [Fact]
    public async Task KeystoreDeactivated_ConnectionDisposedAndAcquireThrowsNotActive()
    {
        var keystore = TestKeystores.Create("leaving");
        _catalog.SetActive(keystore);
        using (await _manager.AcquireAsync(keystore.Id, CancellationToken.None))
        {
        }

        _catalog.SetActive();
        await Eventually.UntilAsync(() => Assert.Single(_plugin.Connections).IsDisposed, "the connection is disposed");

        var error = await Assert.ThrowsAsync<KeystoreNotActiveException>(() => _manager.AcquireAsync(keystore.Id, CancellationToken.None));
        Assert.Equal(keystore.Id, error.KeystoreId);
        Assert.Equal(0, _manager.PooledCount);
    }

    [Fact]
    public async Task AcquireAsync_ConnectFailed_NextCallTriesAgain()
    {
        var keystore = TestKeystores.Create("unreachable-once");
        _catalog.SetActive(keystore);
        _plugin.OnConnect = (_, _) => throw new KeystoreException(KeystoreErrorKind.Unreachable, "Connection refused.");

        var error = await Assert.ThrowsAsync<KeystoreException>(() => _manager.AcquireAsync(keystore.Id, CancellationToken.None));
        _plugin.OnConnect = (_, _) => Task.CompletedTask;
        using var lease = await _manager.AcquireAsync(keystore.Id, CancellationToken.None);

        Assert.Equal(KeystoreErrorKind.Unreachable, error.Kind);
        Assert.Equal(2, _plugin.ConnectCalls);
    }

    [Fact]
    public async Task AcquireAsync_ConnectHangs_FailsAsTimedOutAfterConnectTimeoutAndIsRetried()
    {
        var keystore = TestKeystores.Create("black-hole");
        _catalog.SetActive(keystore);
        var hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _plugin.OnConnect = (_, _) => hang.Task; // ignores cancellation

        var acquire = _manager.AcquireAsync(keystore.Id, CancellationToken.None);
        await Eventually.UntilAsync(() => _plugin.ConnectCalls == 1, "the connect attempt starts");
        await Eventually.UntilAsync(() => acquire.IsCompleted, "the connect times out", () => _clock.Advance(TimeSpan.FromSeconds(30)));
        var error = await Assert.ThrowsAsync<KeystoreException>(() => acquire);
        _plugin.OnConnect = (_, _) => Task.CompletedTask;
        using var lease = await _manager.AcquireAsync(keystore.Id, CancellationToken.None);
        hang.SetResult();

        Assert.Equal(KeystoreErrorKind.TimedOut, error.Kind);
        Assert.Equal(2, _plugin.ConnectCalls);
        await Eventually.UntilAsync(() => _plugin.Connections.Count(c => c.IsDisposed) == 1, "the late connection is disposed");
        Assert.False(((FakeKeystoreConnection)lease.Connection).IsDisposed);
    }

    [Fact]
    public async Task AcquireAsync_CallerCancelsWhileConnecting_OtherCallersStillConnect()
    {
        var keystore = TestKeystores.Create("slow-connect");
        _catalog.SetActive(keystore);
        var connectGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _plugin.OnConnect = (_, _) => connectGate.Task;
        using var impatient = new CancellationTokenSource();

        var cancelled = _manager.AcquireAsync(keystore.Id, impatient.Token);
        var patient = _manager.AcquireAsync(keystore.Id, CancellationToken.None);
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        connectGate.SetResult();
        using var lease = await patient.WaitAsync(Eventually.DefaultTimeout);

        Assert.Equal(1, _plugin.ConnectCalls);
    }

    [Fact]
    public async Task AcquireAsync_UnknownPluginKind_FailsAsInvalidConfiguration()
    {
        var keystore = TestKeystores.Create("orphan", kind: "no_such_kind");
        _catalog.SetActive(keystore);

        var error = await Assert.ThrowsAsync<KeystoreException>(() => _manager.AcquireAsync(keystore.Id, CancellationToken.None));

        Assert.Equal(KeystoreErrorKind.InvalidConfiguration, error.Kind);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task Reconcile_KeystoreMissingFromActiveList_RetiresItsConnection()
    {
        var keystore = TestKeystores.Create("missed-event");
        using (await _manager.AcquireAsync(keystore, CancellationToken.None))
        {
        }

        _manager.Reconcile([]);

        await Eventually.UntilAsync(() => Assert.Single(_plugin.Connections).IsDisposed, "the connection is disposed");
        Assert.Equal(0, _manager.PooledCount);
    }

    [Fact]
    public async Task DisposeAsync_ClosesEveryConnectionIncludingLeasedOnes()
    {
        var a = TestKeystores.Create("a");
        var b = TestKeystores.Create("b");
        using (await _manager.AcquireAsync(a, CancellationToken.None))
        {
        }

        var held = await _manager.AcquireAsync(b, CancellationToken.None);

        await _manager.DisposeAsync();

        Assert.All(_plugin.Connections, c => Assert.Equal(1, c.DisposeCalls));
        held.Dispose();
        Assert.All(_plugin.Connections, c => Assert.Equal(1, c.DisposeCalls));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _manager.AcquireAsync(a, CancellationToken.None));
    }
}
