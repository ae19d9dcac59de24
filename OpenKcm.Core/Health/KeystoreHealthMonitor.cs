using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Health;

/// <summary>
/// Probes every active keystore with a real key operation and turns probe and key-operation results into a status
/// by the plugin's <see cref="HealthThresholds"/>, publishing each change to the <see cref="HealthFeed"/>.
/// </summary>
/// <remarks>
/// <para>Singleton and hosted service (registered as both by
/// <see cref="HealthServiceCollectionExtensions.AddKeystoreHealth"/>); also the <see cref="IKeystoreHealthRecorder"/>
/// the router reports operations to.</para>
/// <para>Each active keystore has its own probe loop, so a hanging probe never stalls another keystore's: the loop
/// gives a probe <see cref="HealthThresholds.ProbeTimeout"/>, cancels it, and records a timeout. A probe that does not
/// return even after cancellation is left running, and no new probe of that keystore starts until it does (each
/// interval meanwhile counts as another timeout), so a misbehaving plugin cannot pile up probes.</para>
/// <para>The set of loops follows the catalog: re-read on <see cref="IKeystoreCatalog.KeystoreChanged"/> and every
/// <see cref="HealthOptions.CatalogRefreshInterval"/>. A new configuration version restarts the keystore's loop;
/// a keystore that is no longer active loses its loop and leaves the feed. <see cref="BackgroundService.StopAsync"/>
/// cancels and awaits every loop.</para>
/// <para>Probing is adaptive: every <see cref="HealthThresholds.ProbeInterval"/> (else
/// <see cref="HealthOptions.ProbeInterval"/>) while Healthy or Unknown, every
/// <see cref="HealthThresholds.DegradedProbeInterval"/> (else <see cref="HealthOptions.DegradedProbeInterval"/>) while
/// Warning or Critical; a key-operation failure that degrades a Healthy keystore wakes its sleeping loop so a probe
/// confirms (or clears) the problem at once.</para>
/// <para>When a <see cref="HealthHistoryStore"/> is given, the 1-hour and 24-hour windows are restored from it before
/// the first catalog read, and <see cref="HealthHistoryWriter"/> collects changed minute buckets through
/// <see cref="TakeChangedHistory"/>.</para>
/// </remarks>
public sealed class KeystoreHealthMonitor : BackgroundService, IKeystoreHealthRecorder
{
    private static readonly HealthThresholds s_fallbackThresholds = new() { WarningLatency = TimeSpan.FromSeconds(1) };

    private readonly IKeystoreCatalog _catalog;
    private readonly PluginRegistry _plugins;
    private readonly KeystoreConnectionManager _connections;
    private readonly HealthFeed _feed;
    private readonly TimeProvider _timeProvider;
    private readonly HealthOptions _options;
    private readonly ILogger<KeystoreHealthMonitor> _logger;
    private readonly IKeystoreHealthListener[] _listeners;
    private readonly IKeystoreFailoverState? _failover;
    private readonly KeystoreMetrics? _metrics;
    private readonly HealthHistoryStore? _history;

    // One wake-up signal per keystore's probe loop (capacity 1: any number of wakes collapse into one early probe).
    private readonly ConcurrentDictionary<Guid, Channel<bool>> _wakeSignals = new();

    // Under _lock: minute buckets restored from history not yet claimed by a state, and changed buckets of keystores
    // that left monitoring before the writer took them.
    private readonly Dictionary<Guid, List<HealthBucketSnapshot>> _restored = [];
    private readonly List<HealthBucketSnapshot> _orphanedHistory = [];

    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, KeystoreHealthState> _states = [];

    // Touched only by ExecuteAsync (one logical thread), so not under _lock.
    private readonly Dictionary<Guid, ProbeLoop> _loops = [];

    // Cancelled loops still finishing (a probe that ignores cancellation gets up to its timeout); awaited on stop.
    private readonly List<ProbeLoop> _stopping = [];

    // A set signal means "re-read the catalog"; capacity 1 so any number of events collapse into one re-read.
    private readonly Channel<bool> _refreshSignal = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public KeystoreHealthMonitor(
        IKeystoreCatalog catalog,
        PluginRegistry plugins,
        KeystoreConnectionManager connections,
        HealthFeed feed,
        TimeProvider timeProvider,
        IOptions<HealthOptions> options,
        ILogger<KeystoreHealthMonitor> logger,
        IEnumerable<IKeystoreHealthListener>? listeners = null,
        IKeystoreFailoverState? failover = null,
        KeystoreMetrics? metrics = null,
        HealthHistoryStore? history = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        _catalog = catalog;
        _plugins = plugins;
        _connections = connections;
        _feed = feed;
        _timeProvider = timeProvider;
        _options = options.Value;
        _logger = logger;
        _listeners = [.. listeners ?? []];
        _failover = failover;
        _metrics = metrics;
        _history = history;
        _catalog.KeystoreChanged += OnKeystoreChanged;
        if (_failover is not null)
        {
            _failover.Changed += OnFailoverChanged;
        }
    }

    /// <inheritdoc />
    public void Record(ActiveKeystore keystore, HealthObservation observation)
    {
        ArgumentNullException.ThrowIfNull(keystore);
        ArgumentNullException.ThrowIfNull(observation);
        if (Observe(keystore, observation, addIfUnknown: true))
        {
            _refreshSignal.Writer.TryWrite(true);
        }
    }

    public override void Dispose()
    {
        _catalog.KeystoreChanged -= OnKeystoreChanged;
        if (_failover is not null)
        {
            _failover.Changed -= OnFailoverChanged;
        }

        base.Dispose();
    }

    /// <summary>
    /// The minute buckets changed since the last call, of all keystores (including ones that left monitoring since),
    /// for <see cref="HealthHistoryWriter"/>. Copies taken under the lock; cheap.
    /// </summary>
    internal List<HealthBucketSnapshot> TakeChangedHistory()
    {
        lock (_lock)
        {
            var changed = new List<HealthBucketSnapshot>(_orphanedHistory);
            _orphanedHistory.Clear();
            foreach (var state in _states.Values)
            {
                changed.AddRange(state.TakeChangedMinutes());
            }

            return changed;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RestoreHistoryAsync(stoppingToken).ConfigureAwait(false);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await RefreshAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // An exception escaping ExecuteAsync stops the host by default; the probes already running are
                    // better than a console that is down.
                    _logger.LogError(ex, "Applying the active keystores to health monitoring failed; retrying at the next refresh.");
                }

                await WaitForRefreshAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
        finally
        {
            await StopLoopsAsync([.. _loops.Values, .. _stopping]).ConfigureAwait(false);
            _loops.Clear();
            _stopping.Clear();
        }
    }

    private async Task RestoreHistoryAsync(CancellationToken stoppingToken)
    {
        if (_history is null)
        {
            return;
        }

        try
        {
            var now = _timeProvider.GetUtcNow();
            var stored = await _history.LoadMinuteBucketsAsync(now - HealthWindows.OneDay, stoppingToken).ConfigureAwait(false);
            lock (_lock)
            {
                foreach (var (keystoreId, buckets) in stored)
                {
                    if (_states.TryGetValue(keystoreId, out var state))
                    {
                        state.Restore(buckets, now);
                    }
                    else
                    {
                        _restored[keystoreId] = buckets;
                    }
                }
            }

            _logger.LogInformation("Restored the health windows of {Count} keystores from stored history.", stored.Count);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Monitoring without history beats no monitoring.
            _logger.LogWarning(ex, "Could not restore the health windows from stored history; the 1-hour and 24-hour windows start empty.");
        }
    }

    private KeystoreHealthState CreateStateLocked(ActiveKeystore keystore)
    {
        var state = new KeystoreHealthState(keystore, ThresholdsFor(keystore));
        if (_restored.Remove(keystore.Id, out var buckets))
        {
            state.Restore(buckets, _timeProvider.GetUtcNow());
        }

        _states.Add(keystore.Id, state);
        return state;
    }

    /// <summary>
    /// Applies one result and publishes; returns true when the keystore was not tracked before. Probe results pass
    /// addIfUnknown false: a probe that finishes just after its keystore was removed must not bring it back.
    /// </summary>
    private bool Observe(ActiveKeystore keystore, HealthObservation observation, bool addIfUnknown)
    {
        _metrics?.Record(keystore, observation);
        lock (_lock)
        {
            var unknown = !_states.TryGetValue(keystore.Id, out var state);
            if (state is null)
            {
                if (!addIfUnknown)
                {
                    return false;
                }

                state = CreateStateLocked(keystore);
            }

            var before = state.Status;
            state.Apply(observation, _options);
            PublishLocked(state, observation);
            if (observation.Source == HealthObservationSource.Operation && !IsDegraded(before) && IsDegraded(state.Status))
            {
                // An operation failure degraded it: probe now instead of at the end of a healthy-length sleep.
                WakeSignal(keystore.Id).Writer.TryWrite(true);
            }

            return unknown;
        }
    }

    private void OnKeystoreChanged(Guid keystoreId) => _refreshSignal.Writer.TryWrite(true);

    /// <summary>
    /// Republishes a primary whose failover routing changed. Queued, not inline: the coordinator may raise this from
    /// inside a listener call, under our lock.
    /// </summary>
    private void OnFailoverChanged(Guid primaryKeystoreId) =>
        ThreadPool.QueueUserWorkItem(
            static s => s.Monitor.Republish(s.Id), (Monitor: this, Id: primaryKeystoreId), preferLocal: false);

    private void Republish(Guid keystoreId)
    {
        lock (_lock)
        {
            if (_states.TryGetValue(keystoreId, out var state))
            {
                PublishLocked(state, observation: null);
            }
        }
    }

    private async Task WaitForRefreshAsync(CancellationToken stoppingToken)
    {
        using var waitCts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var signalled = _refreshSignal.Reader.WaitToReadAsync(waitCts.Token).AsTask();
        var elapsed = Task.Delay(_options.CatalogRefreshInterval, _timeProvider, waitCts.Token);
        await Task.WhenAny(signalled, elapsed).ConfigureAwait(false);
        await waitCts.CancelAsync().ConfigureAwait(false);
        stoppingToken.ThrowIfCancellationRequested();
        _refreshSignal.Reader.TryRead(out _);
    }

    private async Task RefreshAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<ActiveKeystore> active;
        try
        {
            active = await _catalog.GetActiveAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Keep probing what we know; the next refresh tries again.
            _logger.LogWarning(ex, "Could not read the active keystores; health monitoring continues with the last known set.");
            return;
        }

        _connections.Reconcile(active);
        var activeById = active.ToDictionary(k => k.Id);
        var stale = _loops.Values
            .Where(l => !activeById.TryGetValue(l.Keystore.Id, out var k) || k.Version != l.Keystore.Version || k.Kind != l.Keystore.Kind)
            .ToList();
        foreach (var done in _stopping.Where(l => l.IsCompleted).ToList())
        {
            await done.DisposeAsync().ConfigureAwait(false);
            _stopping.Remove(done);
        }

        // Cancelled but not awaited here: a stuck probe must not delay picking up the other changes.
        foreach (var loop in stale)
        {
            loop.Cancel();
            _loops.Remove(loop.Keystore.Id);
            _stopping.Add(loop);
        }

        lock (_lock)
        {
            foreach (var id in _states.Keys.Where(id => !activeById.ContainsKey(id)).ToList())
            {
                _orphanedHistory.AddRange(_states[id].TakeChangedMinutes());
                _states.Remove(id);
                _wakeSignals.TryRemove(id, out _);
                _feed.Remove(id);
                NotifyRemovedLocked(id);
                _logger.LogInformation("Keystore {KeystoreId} is no longer active; it left health monitoring.", id);
            }

            foreach (var keystore in active)
            {
                var thresholds = ThresholdsFor(keystore);
                if (_states.TryGetValue(keystore.Id, out var state))
                {
                    state.Keystore = keystore;
                    state.Thresholds = thresholds;
                }
                else
                {
                    state = CreateStateLocked(keystore);
                }

                PublishLocked(state, observation: null);
            }
        }

        foreach (var keystore in active)
        {
            if (!_loops.ContainsKey(keystore.Id))
            {
                _loops.Add(keystore.Id, ProbeLoop.Start(this, keystore, stoppingToken));
            }
        }
    }

    private static async Task StopLoopsAsync(IReadOnlyCollection<ProbeLoop> loops)
    {
        foreach (var loop in loops)
        {
            loop.Cancel();
        }

        foreach (var loop in loops)
        {
            await loop.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task RunProbeLoopAsync(ActiveKeystore keystore, CancellationToken cancellationToken)
    {
        var last = new LastProbe();
        var wake = WakeSignal(keystore.Id);
        try
        {
            while (true)
            {
                if (last.Task is { IsCompleted: false })
                {
                    var elapsed = _timeProvider.GetElapsedTime(last.StartedAt);
                    var now = _timeProvider.GetUtcNow();
                    Observe(keystore, HealthObservation.Failure(HealthObservationSource.Probe, now, elapsed, new KeystoreHealthError
                    {
                        Kind = KeystoreErrorKind.TimedOut,
                        Message = $"The previous probe has still not returned after {elapsed.TotalSeconds:0.#} s; no new probe starts until it does.",
                        At = now,
                    }), addIfUnknown: false);
                }
                else
                {
                    wake.Reader.TryRead(out _); // a wake-up that arrived before this probe is answered by it
                    await ProbeOnceAsync(keystore, last, cancellationToken).ConfigureAwait(false);
                }

                await SleepAsync(ProbeIntervalFor(keystore.Id), wake, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Deactivated, re-versioned or shutting down.
        }
        catch (Exception ex)
        {
            // A bug here would silently stop this keystore's probes; make it loud instead.
            _logger.LogError(ex, "The health probe loop of keystore {KeystoreId} failed.", keystore.Id);
        }

        if (last.Task is { IsCompleted: false } inFlight)
        {
            // Let a probe that was cancelled finish before its connection may be closed, but never wait longer than
            // its timeout: a plugin that ignores cancellation must not hold up shutdown.
            try
            {
                await inFlight.WaitAsync(last.Timeout, _timeProvider).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Its outcome no longer matters.
            }
        }
    }

    private Channel<bool> WakeSignal(Guid keystoreId) =>
        _wakeSignals.GetOrAdd(keystoreId, static _ => Channel.CreateBounded<bool>(
            new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true }));

    private static bool IsDegraded(KeystoreHealthStatus status) =>
        status is KeystoreHealthStatus.Warning or KeystoreHealthStatus.Critical;

    /// <summary>The time until the next probe of a keystore, by its current status and thresholds.</summary>
    internal TimeSpan ProbeIntervalFor(Guid keystoreId)
    {
        KeystoreHealthStatus status;
        HealthThresholds? thresholds;
        lock (_lock)
        {
            var state = _states.GetValueOrDefault(keystoreId);
            status = state?.Status ?? KeystoreHealthStatus.Unknown;
            thresholds = state?.Thresholds;
        }

        var interval = IsDegraded(status)
            ? thresholds?.DegradedProbeInterval ?? _options.DegradedProbeInterval
            : thresholds?.ProbeInterval ?? _options.ProbeInterval;
        return interval > TimeSpan.Zero ? interval : _options.ProbeInterval;
    }

    /// <summary>Sleeps <paramref name="interval"/> or until <paramref name="wake"/> is set, whichever comes first.</summary>
    private async Task SleepAsync(TimeSpan interval, Channel<bool> wake, CancellationToken cancellationToken)
    {
        using var sleepCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var woken = wake.Reader.WaitToReadAsync(sleepCts.Token).AsTask();
        var elapsed = Task.Delay(interval, _timeProvider, sleepCts.Token);
        await Task.WhenAny(woken, elapsed).ConfigureAwait(false);
        await sleepCts.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(woken, elapsed).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Runs one probe and records its result; <paramref name="last"/> keeps it if it outlives its timeout.</summary>
    private async Task ProbeOnceAsync(ActiveKeystore keystore, LastProbe last, CancellationToken cancellationToken)
    {
        var thresholds = ThresholdsFor(keystore);
        var timeout = thresholds.ProbeTimeout > TimeSpan.Zero ? thresholds.ProbeTimeout : s_fallbackThresholds.ProbeTimeout;
        var startedAt = _timeProvider.GetTimestamp();
        var timeoutCts = new CancellationTokenSource(timeout, _timeProvider);
        var probeCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        var probe = ProbeCoreAsync(keystore, probeCts.Token);
        last.Task = probe;
        last.StartedAt = startedAt;
        last.Timeout = timeout;
        try
        {
            // WaitAsync with its own timeout: a plugin that ignores cancellation still cannot hold this loop.
            var latency = await probe.WaitAsync(timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            Observe(keystore, HealthObservation.Success(HealthObservationSource.Probe, _timeProvider.GetUtcNow(), latency), addIfUnknown: false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var now = _timeProvider.GetUtcNow();
            var error = ex is TimeoutException or OperationCanceledException
                ? new KeystoreHealthError
                {
                    Kind = KeystoreErrorKind.TimedOut,
                    Message = $"The health probe did not complete within {timeout.TotalSeconds:0.###} s.",
                    At = now,
                }
                : KeystoreHealthError.FromException(ex, now);
            Observe(keystore, HealthObservation.Failure(HealthObservationSource.Probe, now, _timeProvider.GetElapsedTime(startedAt), error), addIfUnknown: false);
        }
        finally
        {
            if (probe.IsCompleted)
            {
                probeCts.Dispose();
                timeoutCts.Dispose();
            }
            else
            {
                // Still running after its timeout (or shutdown): dispose its tokens only once it lets go of them,
                // and observe its eventual exception.
                _ = probe.ContinueWith(
                    static (t, state) =>
                    {
                        _ = t.Exception;
                        foreach (var cts in (CancellationTokenSource[])state!)
                        {
                            cts.Dispose();
                        }
                    },
                    new[] { probeCts, timeoutCts },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
    }

    /// <summary>Connects (or reuses the pooled connection) and probes; returns the probe's own latency.</summary>
    private async Task<TimeSpan> ProbeCoreAsync(ActiveKeystore keystore, CancellationToken cancellationToken)
    {
        using var lease = await _connections.AcquireAsync(keystore, cancellationToken).ConfigureAwait(false);
        var startedAt = _timeProvider.GetTimestamp();
        await lease.Connection.ProbeAsync(cancellationToken).ConfigureAwait(false);
        return _timeProvider.GetElapsedTime(startedAt);
    }

    private HealthThresholds ThresholdsFor(ActiveKeystore keystore) => keystore.ThresholdOverrides ??
        _plugins.Find(keystore.Kind)?.Descriptor.DefaultThresholds ?? s_fallbackThresholds;

    private void PublishLocked(KeystoreHealthState state, HealthObservation? observation)
    {
        var previous = state.LastPublished;
        var health = state.ToHealth(_timeProvider.GetUtcNow(), _options);
        if (_failover is not null)
        {
            health = health with { Failover = _failover.Get(health.KeystoreId) };
        }

        if (previous is not null && health.Status != previous.Status)
        {
            var level = health.Status == KeystoreHealthStatus.Critical ? LogLevel.Warning : LogLevel.Information;
            _logger.Log(level, "Keystore {KeystoreName} ({KeystoreId}) of tenant {TenantName} is now {Status} (was {PreviousStatus}).",
                health.Name, health.KeystoreId, health.TenantName, health.Status, previous.Status);
        }

        state.LastPublished = health;
        _feed.Upsert(health);
        foreach (var listener in _listeners)
        {
            try
            {
                listener.OnHealthChanged(previous, health, observation);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Health listener {Listener} failed for keystore {KeystoreId}.", listener.GetType().Name, health.KeystoreId);
            }
        }
    }

    private void NotifyRemovedLocked(Guid keystoreId)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                listener.OnRemoved(keystoreId);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Health listener {Listener} failed for removed keystore {KeystoreId}.", listener.GetType().Name, keystoreId);
            }
        }
    }

    /// <summary>The latest probe a loop started, kept while it may still be running. Touched only by its loop.</summary>
    private sealed class LastProbe
    {
        public Task? Task { get; set; }

        public long StartedAt { get; set; }

        public TimeSpan Timeout { get; set; }
    }

    /// <summary>One keystore's probe loop: its task and what cancels it.</summary>
    private sealed class ProbeLoop : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cts;
        private readonly Task _task;

        private ProbeLoop(KeystoreHealthMonitor monitor, ActiveKeystore keystore, CancellationToken stoppingToken)
        {
            Keystore = keystore;
            _cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            _task = Task.Run(() => monitor.RunProbeLoopAsync(keystore, _cts.Token), CancellationToken.None);
        }

        public ActiveKeystore Keystore { get; }

        public static ProbeLoop Start(KeystoreHealthMonitor monitor, ActiveKeystore keystore, CancellationToken stoppingToken) =>
            new(monitor, keystore, stoppingToken);

        public bool IsCompleted => _task.IsCompleted;

        public void Cancel() => _cts.Cancel();

        public async ValueTask DisposeAsync()
        {
            _cts.Cancel();
            await _task.ConfigureAwait(false); // RunProbeLoopAsync never throws
            _cts.Dispose();
        }
    }
}
