using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpenKcm.Core.Health;

/// <summary>What <see cref="HealthHistoryWriter.Status"/> reports (for /readyz and diagnostics). Immutable.</summary>
public sealed record HealthHistoryWriterStatus
{
    /// <summary>When the last write (or an empty flush) succeeded; null before the first.</summary>
    public DateTimeOffset? LastSuccessAt { get; init; }

    /// <summary>When the last write failed; null when none has failed since start.</summary>
    public DateTimeOffset? LastFailureAt { get; init; }

    /// <summary>The last failure (exception type and database message; never a secret); null when none.</summary>
    public string? LastError { get; init; }

    /// <summary>Failed writes in a row; 0 once a write succeeds.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>Buckets waiting to be written (kept across failed writes, at most <see cref="HealthOptions.HistoryMaxPendingBuckets"/>).</summary>
    public int Pending { get; init; }

    /// <summary>Buckets dropped since start because the pending limit was reached while the database could not be written.</summary>
    public long Dropped { get; init; }

    /// <summary>True when the last write succeeded (or none has been tried yet).</summary>
    public bool Healthy => ConsecutiveFailures == 0;
}

/// <summary>
/// Writes the monitor's changed minute buckets to <see cref="HealthHistoryStore"/> every
/// <see cref="HealthOptions.HistoryFlushInterval"/> and rolls up / prunes old history every
/// <see cref="HealthOptions.HistoryMaintenanceInterval"/>. Singleton and hosted service; thread-safe.
/// </summary>
/// <remarks>
/// Off the monitor's lock: it only takes copies (<see cref="KeystoreHealthMonitor.TakeChangedHistory"/>). A failed
/// write never stalls the monitor and loses nothing silently: the buckets stay pending (the newest copy of each
/// bucket replaces an older one) and are retried at the next flush; only beyond
/// <see cref="HealthOptions.HistoryMaxPendingBuckets"/> are the oldest dropped, counted and logged. The state is in
/// <see cref="Status"/>. On stop, one last flush.
/// </remarks>
public sealed class HealthHistoryWriter : BackgroundService, IComponentReadiness
{
    private readonly KeystoreHealthMonitor _monitor;
    private readonly HealthHistoryStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly HealthOptions _options;
    private readonly ILogger<HealthHistoryWriter> _logger;
    private readonly SemaphoreSlim _flushLock = new(1, 1);
    private readonly SortedDictionary<(DateTimeOffset Start, Guid KeystoreId), HealthBucketSnapshot> _pending = [];
    private DateTimeOffset? _lastMaintenanceAt;
    private volatile HealthHistoryWriterStatus _status = new();

    public HealthHistoryWriter(
        KeystoreHealthMonitor monitor, HealthHistoryStore store, TimeProvider timeProvider, IOptions<HealthOptions> options,
        ILogger<HealthHistoryWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _monitor = monitor;
        _store = store;
        _timeProvider = timeProvider;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The writer's current state; cheap, never blocks.</summary>
    public HealthHistoryWriterStatus Status => _status;

    /// <inheritdoc />
    public string Name => "health-history";

    /// <inheritdoc />
    /// <remarks>Not ready while writes fail: the history (charts, restored windows) is falling behind.</remarks>
    public string? NotReadyReason()
    {
        var status = _status;
        return status.Healthy
            ? null
            : $"{status.ConsecutiveFailures} history write(s) failed in a row since {status.LastFailureAt:u}; {status.Pending} bucket(s) pending, {status.Dropped} dropped.";
    }

    /// <summary>
    /// Takes the monitor's changed buckets and writes everything pending; runs maintenance when it is due. Returns
    /// true when the write succeeded. Never throws except for cancellation; one flush at a time.
    /// </summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        await _flushLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var bucket in _monitor.TakeChangedHistory())
            {
                _pending[(bucket.Start, bucket.KeystoreId)] = bucket;
            }

            var dropped = 0;
            while (_pending.Count > _options.HistoryMaxPendingBuckets)
            {
                _pending.Remove(_pending.Keys.First());
                dropped++;
            }

            if (dropped > 0)
            {
                _logger.LogError("The health history could not be written for a long time; dropped the {Count} oldest unwritten buckets.", dropped);
                _status = _status with { Dropped = _status.Dropped + dropped };
            }

            var now = _timeProvider.GetUtcNow();
            try
            {
                var batch = _pending.Values.ToList();
                await _store.UpsertAsync(batch, cancellationToken).ConfigureAwait(false);
                _pending.Clear();
                if (_lastMaintenanceAt is null || now - _lastMaintenanceAt >= _options.HistoryMaintenanceInterval)
                {
                    var deleted = await _store.MaintainAsync(now, cancellationToken).ConfigureAwait(false);
                    _lastMaintenanceAt = now;
                    _logger.LogDebug("Health history maintenance rolled up or deleted {Count} rows.", deleted);
                }

                if (_status.ConsecutiveFailures > 0)
                {
                    _logger.LogInformation("The health history is written again after {Failures} failed attempts.", _status.ConsecutiveFailures);
                }

                _status = _status with { LastSuccessAt = now, ConsecutiveFailures = 0, Pending = 0 };
                return true;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning(ex, "Writing the health history failed; {Pending} buckets stay pending and are retried.", _pending.Count);
                _status = _status with
                {
                    LastFailureAt = now,
                    LastError = $"{ex.GetBaseException().GetType().Name}: {ex.GetBaseException().Message}",
                    ConsecutiveFailures = _status.ConsecutiveFailures + 1,
                    Pending = _pending.Count,
                };
                return false;
            }
        }
        finally
        {
            _flushLock.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host gave up waiting; what is pending is lost with the process, as logged by the last failure.
        }
    }

    public override void Dispose()
    {
        _flushLock.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.HistoryFlushInterval, _timeProvider, stoppingToken).ConfigureAwait(false);
                await FlushAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown: StopAsync flushes once more.
        }
    }
}
