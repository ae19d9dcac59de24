using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Operations;

/// <summary>
/// Pools one <see cref="IKeystoreConnection"/> per active keystore configuration version, shared by key operations
/// and health probes.
/// </summary>
/// <remarks>
/// <para>Singleton, thread-safe; owned and disposed by the DI container. It owns every connection it opens.</para>
/// <para>A connection is opened lazily on the first <see cref="AcquireAsync(ActiveKeystore, CancellationToken)"/>;
/// concurrent callers share that one attempt. The attempt runs under the manager's lifetime and
/// <see cref="KeyOperationOptions.ConnectTimeout"/>, not a caller's token, so one caller giving up does not fail the
/// others. A failed attempt is forgotten at once: the next call tries again.</para>
/// <para>When a keystore gets a new active version or stops being active (<see cref="IKeystoreCatalog.KeystoreChanged"/>,
/// or <see cref="Reconcile"/> from the health monitor's periodic catalog read), its connection is retired: new callers
/// get a new connection, and the old one is disposed once the last <see cref="KeystoreConnectionLease"/> on it is
/// released, so operations in flight finish on the connection they started with.</para>
/// </remarks>
public sealed class KeystoreConnectionManager : IAsyncDisposable
{
    private const int CatalogReadAttempts = 3;

    private readonly IKeystoreCatalog _catalog;
    private readonly PluginRegistry _plugins;
    private readonly TimeProvider _timeProvider;
    private readonly KeyOperationOptions _options;
    private readonly ILogger<KeystoreConnectionManager> _logger;
    private readonly CancellationTokenSource _disposeCts = new();

    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, PooledConnection> _pool = [];
    private readonly HashSet<Task> _background = [];
    private Dictionary<Guid, ActiveKeystore>? _activeCache;
    private long _catalogGeneration;
    private bool _disposed;

    public KeystoreConnectionManager(
        IKeystoreCatalog catalog,
        PluginRegistry plugins,
        TimeProvider timeProvider,
        IOptions<KeyOperationOptions> options,
        ILogger<KeystoreConnectionManager> logger)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        _catalog = catalog;
        _plugins = plugins;
        _timeProvider = timeProvider;
        _options = options.Value;
        _logger = logger;
        _catalog.KeystoreChanged += OnKeystoreChanged;
    }

    /// <summary>
    /// Raised by <see cref="Reconcile"/> with the active keystores just read from the catalog (outside the manager's
    /// lock, on the caller's thread); the failover coordinator learns primaries and backups from it. Handlers must
    /// not block.
    /// </summary>
    public event Action<IReadOnlyCollection<ActiveKeystore>>? ActiveSetChanged;

    /// <summary>Pooled connections (tests and diagnostics): one per keystore at most, retired ones excluded.</summary>
    public int PooledCount
    {
        get
        {
            lock (_lock)
            {
                return _pool.Count;
            }
        }
    }

    /// <summary>
    /// The active keystore with this id and its active version, or null when it is not active. Served from a cache
    /// of the catalog that <see cref="IKeystoreCatalog.KeystoreChanged"/> invalidates.
    /// </summary>
    public async Task<ActiveKeystore?> FindActiveAsync(Guid keystoreId, CancellationToken cancellationToken)
    {
        IReadOnlyList<ActiveKeystore> active = [];
        for (var attempt = 0; attempt < CatalogReadAttempts; attempt++)
        {
            long generation;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_activeCache is { } cache)
                {
                    return cache.GetValueOrDefault(keystoreId);
                }

                generation = _catalogGeneration;
            }

            active = await _catalog.GetActiveAsync(cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                // A change event during the read may mean this list is already stale: never cache it then.
                if (generation == _catalogGeneration)
                {
                    _activeCache = active.ToDictionary(k => k.Id);
                    return _activeCache.GetValueOrDefault(keystoreId);
                }
            }
        }

        // The catalog keeps changing under us; answer from the latest read without caching it.
        return active.FirstOrDefault(k => k.Id == keystoreId);
    }

    /// <summary>
    /// A lease on the pooled connection of the keystore's active version, opening it if needed.
    /// Throws <see cref="KeystoreNotActiveException"/> when the keystore is not active.
    /// </summary>
    public async Task<KeystoreConnectionLease> AcquireAsync(Guid keystoreId, CancellationToken cancellationToken)
    {
        var keystore = await FindActiveAsync(keystoreId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeystoreNotActiveException(keystoreId);
        return await AcquireAsync(keystore, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A lease on the pooled connection for exactly <paramref name="keystore"/>'s version, opening it if needed (a
    /// pooled connection of another version is retired). Throws <see cref="KeystoreException"/> when the connection
    /// cannot be opened (<see cref="KeystoreErrorKind.TimedOut"/> after <see cref="KeyOperationOptions.ConnectTimeout"/>,
    /// <see cref="KeystoreErrorKind.InvalidConfiguration"/> when no plugin serves the kind), and
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled first; the
    /// shared attempt goes on for the other callers.
    /// </summary>
    public async Task<KeystoreConnectionLease> AcquireAsync(ActiveKeystore keystore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keystore);
        PooledConnection? entry;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_pool.TryGetValue(keystore.Id, out entry) || !entry.IsFor(keystore))
            {
                if (entry is not null)
                {
                    RetireLocked(entry);
                }

                entry = new PooledConnection(keystore);
                _pool[keystore.Id] = entry;

                // Started and tracked under the lock, so DisposeAsync always waits for it; Task.Run keeps the
                // plugin's synchronous part out of the lock.
                var connecting = entry;
                TrackLocked(Task.Run(() => ConnectAsync(connecting), CancellationToken.None), lockTaken: true);
            }

            entry.Leases++;
        }

        try
        {
            var connection = await entry.Ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            var leased = entry;
            return new KeystoreConnectionLease(entry.Keystore, connection, () => Release(leased));
        }
        catch
        {
            Release(entry);
            throw;
        }
    }

    /// <summary>
    /// Retires pooled connections whose keystore is not in <paramref name="active"/> or has another version there.
    /// Called by the health monitor after each catalog read, so connections follow the catalog even when a change
    /// event was missed (e.g. made by another console instance).
    /// </summary>
    public void Reconcile(IReadOnlyCollection<ActiveKeystore> active)
    {
        ArgumentNullException.ThrowIfNull(active);
        var byId = active.ToDictionary(k => k.Id);
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            ReconcileLocked(byId);
            if (_activeCache is { } cache
                && (cache.Count != byId.Count || cache.Values.Any(k => !byId.TryGetValue(k.Id, out var a)
                    || a.Version != k.Version || a.BackupKeystoreId != k.BackupKeystoreId)))
            {
                _activeCache = null;
            }
        }

        try
        {
            ActiveSetChanged?.Invoke(active);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "An ActiveSetChanged handler failed.");
        }
    }

    /// <summary>Disposes every connection (leases still held included) after cancelling connection attempts.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _catalog.KeystoreChanged -= OnKeystoreChanged;
            foreach (var entry in _pool.Values)
            {
                entry.Retired = true;
                StartDisposeLocked(entry);
            }

            _pool.Clear();
        }

        await _disposeCts.CancelAsync().ConfigureAwait(false);
        while (true)
        {
            Task[] pending;
            lock (_lock)
            {
                pending = [.. _background];
            }

            if (pending.Length == 0)
            {
                break;
            }

            await Task.WhenAll(pending).ConfigureAwait(false); // tracked tasks never throw
        }

        _disposeCts.Dispose();
    }

    private void OnKeystoreChanged(Guid keystoreId)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _catalogGeneration++;
            _activeCache = null;

            // Off the writer's thread: the catalog raises this event from inside its own write path.
            TrackLocked(Task.Run(RefreshAsync), lockTaken: true);
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            long generation;
            lock (_lock)
            {
                generation = _catalogGeneration;
            }

            var active = await _catalog.GetActiveAsync(_disposeCts.Token).ConfigureAwait(false);
            lock (_lock)
            {
                // Only the read that follows the latest change may act; a later refresh is on its way otherwise.
                if (!_disposed && generation == _catalogGeneration)
                {
                    var byId = active.ToDictionary(k => k.Id);
                    _activeCache = byId;
                    ReconcileLocked(byId);
                }
            }
        }
        catch (OperationCanceledException) when (_disposeCts.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // The next acquire reads the catalog itself (the cache was cleared), so this only delays disposal.
            _logger.LogWarning(ex, "Could not re-read the active keystores after a change.");
        }
    }

    private void ReconcileLocked(Dictionary<Guid, ActiveKeystore> active)
    {
        foreach (var entry in _pool.Values.ToList())
        {
            if (!active.TryGetValue(entry.Keystore.Id, out var keystore) || !entry.IsFor(keystore))
            {
                RetireLocked(entry);
            }
        }
    }

    private async Task ConnectAsync(PooledConnection entry)
    {
        var keystore = entry.Keystore;
        try
        {
            var plugin = _plugins.Find(keystore.Kind)
                ?? throw new KeystoreException(
                    KeystoreErrorKind.InvalidConfiguration, $"No keystore plugin is registered for kind '{keystore.Kind}'.");

            var timeoutCts = new CancellationTokenSource(_options.ConnectTimeout, _timeProvider);
            var connectCts = CancellationTokenSource.CreateLinkedTokenSource(_disposeCts.Token, timeoutCts.Token);
            var connect = plugin.ConnectAsync(keystore.Settings, keystore.Secrets, connectCts.Token);
            IKeystoreConnection connection;
            try
            {
                // WaitAsync with its own timeout: a plugin that ignores cancellation cannot wedge the pool entry.
                connection = await connect.WaitAsync(_options.ConnectTimeout, _timeProvider, _disposeCts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!_disposeCts.IsCancellationRequested && ex is TimeoutException or OperationCanceledException)
            {
                throw new KeystoreException(
                    KeystoreErrorKind.TimedOut,
                    $"Connecting to keystore '{keystore.Name}' did not complete within {_options.ConnectTimeout.TotalSeconds:0.###} s.");
            }
            finally
            {
                DisposeWhenDone(connect, connectCts, timeoutCts);
            }

            bool disposeNow;
            lock (_lock)
            {
                entry.Connection = connection;
                disposeNow = _disposed || (entry.Retired && entry.Leases == 0);
                if (disposeNow)
                {
                    entry.DisposeStarted = true;
                }
            }

            if (disposeNow)
            {
                await DisposeConnectionAsync(connection, keystore).ConfigureAwait(false);
                entry.Ready.TrySetException(new ObjectDisposedException(nameof(KeystoreConnectionManager)));
                return;
            }

            _logger.LogInformation("Connected to keystore {KeystoreName} ({KeystoreId}) version {Version}.", keystore.Name, keystore.Id, keystore.Version);
            entry.Ready.TrySetResult(connection);
        }
        catch (Exception ex)
        {
            lock (_lock)
            {
                // Forget the failed attempt so the next caller tries again.
                if (_pool.TryGetValue(keystore.Id, out var current) && current == entry)
                {
                    _pool.Remove(keystore.Id);
                }

                entry.Retired = true;
            }

            if (ex is KeystoreException keystoreException)
            {
                _logger.LogWarning("Could not connect to keystore {KeystoreName} ({KeystoreId}): {ErrorKind} {Message}",
                    keystore.Name, keystore.Id, keystoreException.Kind, keystoreException.Message);
            }
            else if (!_disposeCts.IsCancellationRequested)
            {
                _logger.LogWarning(ex, "Could not connect to keystore {KeystoreName} ({KeystoreId}).", keystore.Name, keystore.Id);
            }

            entry.Ready.TrySetException(ex);
        }
    }

    /// <summary>Disposes the token sources once the plugin's connect has let go of them; disposes a late connection.</summary>
    private void DisposeWhenDone(Task<IKeystoreConnection> connect, CancellationTokenSource connectCts, CancellationTokenSource timeoutCts)
    {
        if (connect.IsCompleted)
        {
            connectCts.Dispose();
            timeoutCts.Dispose();
            return;
        }

        TrackLocked(DisposeLateAsync(), lockTaken: false);

        async Task DisposeLateAsync()
        {
            try
            {
                var late = await connect.ConfigureAwait(false);
                await late.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The attempt was already reported as failed; a late outcome changes nothing.
            }
            finally
            {
                connectCts.Dispose();
                timeoutCts.Dispose();
            }
        }
    }

    private void Release(PooledConnection entry)
    {
        lock (_lock)
        {
            entry.Leases--;
            if (entry.Retired && entry.Leases == 0)
            {
                StartDisposeLocked(entry);
            }
        }
    }

    private void RetireLocked(PooledConnection entry)
    {
        entry.Retired = true;
        if (_pool.TryGetValue(entry.Keystore.Id, out var current) && current == entry)
        {
            _pool.Remove(entry.Keystore.Id);
        }

        if (entry.Leases == 0)
        {
            StartDisposeLocked(entry);
        }
    }

    /// <summary>Disposes the entry's connection if it has one; one still connecting is disposed by ConnectAsync.</summary>
    private void StartDisposeLocked(PooledConnection entry)
    {
        if (entry.Connection is { } connection && !entry.DisposeStarted)
        {
            entry.DisposeStarted = true;
            _logger.LogInformation("Closing the connection to keystore {KeystoreName} ({KeystoreId}) version {Version}.",
                entry.Keystore.Name, entry.Keystore.Id, entry.Keystore.Version);
            TrackLocked(DisposeConnectionAsync(connection, entry.Keystore), lockTaken: true);
        }
    }

    private async Task DisposeConnectionAsync(IKeystoreConnection connection, ActiveKeystore keystore)
    {
        // Never inline under our lock: a plugin's dispose may do I/O.
        await Task.Yield();
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Disposing the connection to keystore {KeystoreId} failed.", keystore.Id);
        }
    }

    /// <summary>Keeps background work (connects, refreshes, disposals) visible to <see cref="DisposeAsync"/>.</summary>
    private void TrackLocked(Task task, bool lockTaken)
    {
        if (task.IsCompleted)
        {
            return;
        }

        if (lockTaken)
        {
            _background.Add(task);
        }
        else
        {
            lock (_lock)
            {
                _background.Add(task);
            }
        }

        _ = task.ContinueWith(
            (t, state) =>
            {
                lock (_lock)
                {
                    _background.Remove(t);
                }
            },
            null,
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    /// <summary>One pooled connection (or attempt to open it). Mutable state is guarded by the manager's lock.</summary>
    private sealed class PooledConnection(ActiveKeystore keystore)
    {
        public ActiveKeystore Keystore { get; } = keystore;

        public TaskCompletionSource<IKeystoreConnection> Ready { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IKeystoreConnection? Connection { get; set; }

        public int Leases { get; set; }

        public bool Retired { get; set; }

        public bool DisposeStarted { get; set; }

        public bool IsFor(ActiveKeystore keystore) =>
            keystore.Version == Keystore.Version && string.Equals(keystore.Kind, Keystore.Kind, StringComparison.Ordinal);
    }
}
