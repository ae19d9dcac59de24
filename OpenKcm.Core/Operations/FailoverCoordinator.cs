using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Operations;

/// <summary>
/// Decides, per primary keystore that names a backup (<see cref="ActiveKeystore.BackupKeystoreId"/>), whether its key
/// operations go to the primary or to the backup, and tells the router, the health monitor (through
/// <see cref="Changed"/>), alerts (through <see cref="Switched"/>) and the audit log.
/// </summary>
/// <remarks>
/// <para>Rules. The backup is available only while it is active, of the same tenant, not Critical, and verified for the
/// current active versions of both keystores (<see cref="ActiveKeystore.BackupVerified"/>); otherwise the primary's
/// state says <see cref="KeystoreFailoverState.BackupAvailable"/> false with the reason (and a warning is logged
/// once). The route fails over when the primary turns <see cref="KeystoreHealthStatus.Critical"/>, or when
/// <see cref="FailoverOptions.FailoverAfterOperationFailures"/> key operations in a row fail on it with a retryable,
/// non-throttling <see cref="KeystoreException"/> (<see cref="ReportOperationFailure"/>; each such failing operation
/// continues on an available backup at once, whatever the route). Throttling never moves the route. Fail back when the
/// primary is Healthy after at least <see cref="HealthThresholds.FailbackAfterHealthyProbes"/> consecutive successful
/// probes counted since the failover (a failure resets the count) and, after an operation-forced failover, at least
/// <see cref="FailoverOptions.MinimumDwell"/> after it; at once when the backup stops being active; and at once when
/// the backup is Critical or otherwise unavailable while the primary is not Critical. The backup's own backup is never
/// followed (no chains).</para>
/// <para>State lives in memory: after a console restart every primary starts on itself and fails over again as soon
/// as the rules say so.</para>
/// <para>Threading: singleton, thread-safe. <see cref="OnHealthChanged"/> is called by the monitor under its lock; it
/// only updates memory, raises the events and queues audit records. Each switch is audited
/// (<see cref="AuditActions.KeystoreFailover"/>, <see cref="AuditActions.KeystoreFailback"/>) by a background writer:
/// an audit write that fails is logged as an error and retried with backoff until it succeeds or the coordinator is
/// disposed (then the records still queued are logged as lost, loudly). Events are raised under the coordinator's own
/// lock, in switch order; handlers must not block.</para>
/// <para>The active set comes from <see cref="KeystoreConnectionManager.ActiveSetChanged"/> (each catalog read of the
/// monitor) and from the keystores the router passes in.</para>
/// </remarks>
public sealed class FailoverCoordinator : IKeystoreFailoverState, IKeystoreHealthListener, IAsyncDisposable
{
    /// <summary>The actor of switch audit entries.</summary>
    public static readonly Actor AuditActor = Actor.Component("failover");

    private static readonly TimeSpan s_firstAuditRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_maxAuditRetry = TimeSpan.FromSeconds(30);

    private readonly Func<AuditRecord, CancellationToken, Task> _appendAudit;
    private readonly FailoverOptions _options;
    private readonly KeystoreConnectionManager? _connections;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<FailoverCoordinator> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, ActiveKeystore> _active = [];
    private readonly Dictionary<Guid, KeystoreHealth> _health = [];
    private readonly Dictionary<Guid, Route> _routes = [];
    private readonly Channel<AuditRecord> _auditQueue = Channel.CreateUnbounded<AuditRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _disposeCts = new();
    private readonly Task _auditWriter;
    private int _pendingAudits;

    /// <summary>Creates the coordinator and starts its audit writer; subscribes to the connection manager's active set.</summary>
    /// <param name="audit">Where switches are audited.</param>
    /// <param name="connections">The source of the active set.</param>
    /// <param name="timeProvider">The clock of dwell times and failure windows.</param>
    /// <param name="logger">Switches and availability changes.</param>
    /// <param name="options">When operation failures switch the route; null: the defaults.</param>
    public FailoverCoordinator(
        AuditLog audit, KeystoreConnectionManager connections, TimeProvider timeProvider, ILogger<FailoverCoordinator> logger,
        IOptions<FailoverOptions>? options = null)
        : this((record, ct) => AppendAsync(audit, record, ct), connections, timeProvider, logger, options?.Value)
    {
        ArgumentNullException.ThrowIfNull(audit);
    }

    /// <summary>For tests: audit through <paramref name="appendAudit"/>; <paramref name="connections"/> may be null.</summary>
    internal FailoverCoordinator(
        Func<AuditRecord, CancellationToken, Task> appendAudit, KeystoreConnectionManager? connections, TimeProvider timeProvider, ILogger<FailoverCoordinator> logger,
        FailoverOptions? options = null)
    {
        _appendAudit = appendAudit;
        _options = options ?? new FailoverOptions();
        _connections = connections;
        _timeProvider = timeProvider;
        _logger = logger;
        if (_connections is not null)
        {
            _connections.ActiveSetChanged += UpdateActive;
        }

        _auditWriter = Task.Run(WriteAuditsAsync, CancellationToken.None);
    }

    /// <inheritdoc />
    public event Action<KeystoreFailoverEvent>? Switched;

    /// <inheritdoc />
    public event Action<Guid>? Changed;

    /// <summary>Switch audit records queued or being retried (tests and diagnostics).</summary>
    public int PendingAudits => Volatile.Read(ref _pendingAudits);

    /// <inheritdoc />
    public KeystoreFailoverState? Get(Guid primaryKeystoreId)
    {
        lock (_lock)
        {
            return _routes.TryGetValue(primaryKeystoreId, out var route) ? route.Published : null;
        }
    }

    /// <summary>
    /// The keystore that should serve the next operation for <paramref name="primary"/>: its backup's id while failed
    /// over, otherwise null (the primary itself). Called by the router before each attempt.
    /// </summary>
    public Guid? BackupInUse(ActiveKeystore primary)
    {
        ArgumentNullException.ThrowIfNull(primary);
        lock (_lock)
        {
            return _routes.TryGetValue(primary.Id, out var route) && route.FailedOver && route.BackupId == primary.BackupKeystoreId
                ? route.BackupId
                : null;
        }
    }

    /// <summary>
    /// True when an operation on <paramref name="primaryKeystoreId"/> may be served by the primary itself: it is not
    /// Critical. The router asks this when an attempt on the backup fails while failed over.
    /// </summary>
    public bool PrimaryUsable(Guid primaryKeystoreId)
    {
        lock (_lock)
        {
            return _health.GetValueOrDefault(primaryKeystoreId)?.Status != KeystoreHealthStatus.Critical;
        }
    }

    /// <summary>
    /// The router reports a retryable failure of a key operation on <paramref name="primary"/>. Returns true when that
    /// operation should continue on <paramref name="backup"/> at once: the backup is available (or already in use) and
    /// the failure is not <see cref="KeystoreErrorKind.Throttled"/> (throttling is retried on the primary, honouring its
    /// Retry-After). The route itself (later operations) switches only after
    /// <see cref="FailoverOptions.FailoverAfterOperationFailures"/> such failures in a row.
    /// </summary>
    /// <param name="primary">The keystore the operation failed on; it names the backup.</param>
    /// <param name="backup">The backup as the router found it active, or null when it is not active.</param>
    /// <param name="operation">What failed, for the reason.</param>
    /// <param name="error">The failure (its message is secret-free by contract).</param>
    public bool ReportOperationFailure(ActiveKeystore primary, ActiveKeystore? backup, KeyOperationKind operation, KeystoreException error)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(error);
        if (primary.BackupKeystoreId is not { } backupId)
        {
            return false;
        }

        lock (_lock)
        {
            _active[primary.Id] = primary;
            if (backup is not null && backup.Id == backupId)
            {
                _active[backup.Id] = backup;
            }
            else
            {
                _active.Remove(backupId);
            }

            var route = RouteLocked(primary);
            var usable = backup is not null && route.BackupId == backup.Id;
            if (route.FailedOver)
            {
                EvaluateLocked(route, forceFailoverReason: null);
                return route.FailedOver && usable;
            }

            if (error.Kind == KeystoreErrorKind.Throttled)
            {
                EvaluateLocked(route, forceFailoverReason: null);
                return false;
            }

            var now = _timeProvider.GetUtcNow();
            route.OperationFailures = route.LastOperationFailureAt is { } last && now - last <= _options.OperationFailureWindow
                ? route.OperationFailures + 1
                : 1;
            route.LastOperationFailureAt = now;
            var reason = route.OperationFailures >= _options.FailoverAfterOperationFailures
                ? $"{route.OperationFailures} key operations in a row failed on {primary.Name}, the last {operation.ToString().ToLowerInvariant()}: {error.Kind}"
                : null;
            EvaluateLocked(route, forceFailoverReason: reason);
            return usable && (route.FailedOver || route.BackupUnavailableReason is null);
        }
    }

    /// <inheritdoc />
    public void OnHealthChanged(KeystoreHealth? previous, KeystoreHealth current, HealthObservation? observation)
    {
        ArgumentNullException.ThrowIfNull(current);
        lock (_lock)
        {
            _health[current.KeystoreId] = current;
            if (_routes.TryGetValue(current.KeystoreId, out var own))
            {
                if (own.FailedOver && observation is not null)
                {
                    own.HealthyProbes = observation.Succeeded
                        ? own.HealthyProbes + (observation.Source == HealthObservationSource.Probe ? 1 : 0)
                        : 0;
                }
                else if (!own.FailedOver && observation is { Succeeded: true })
                {
                    // A success of the primary ends a run of operation failures.
                    own.OperationFailures = 0;
                    own.LastOperationFailureAt = null;
                }

                EvaluateLocked(own, forceFailoverReason: null);
            }

            foreach (var route in _routes.Values)
            {
                if (route.BackupId == current.KeystoreId)
                {
                    EvaluateLocked(route, forceFailoverReason: null);
                }
            }
        }
    }

    /// <inheritdoc />
    public void OnRemoved(Guid keystoreId)
    {
        lock (_lock)
        {
            _health.Remove(keystoreId);
        }
    }

    /// <summary>
    /// Replaces the coordinator's view of the active keystores (normally raised by the connection manager after each
    /// catalog read): routes of primaries no longer active or no longer naming a backup disappear; backups that are
    /// no longer active end a failover at once.
    /// </summary>
    public void UpdateActive(IReadOnlyCollection<ActiveKeystore> active)
    {
        ArgumentNullException.ThrowIfNull(active);
        lock (_lock)
        {
            _active.Clear();
            foreach (var keystore in active)
            {
                _active[keystore.Id] = keystore;
            }

            foreach (var route in _routes.Values.ToList())
            {
                if (!_active.TryGetValue(route.PrimaryId, out var primary) || primary.BackupKeystoreId != route.BackupId)
                {
                    if (route.FailedOver)
                    {
                        _logger.LogWarning("Keystore {PrimaryId} no longer fails over to {BackupName}: it is no longer active or names another backup.",
                            route.PrimaryId, route.BackupName);
                    }

                    _routes.Remove(route.PrimaryId);
                    RaiseChanged(route.PrimaryId);
                }
            }

            foreach (var keystore in active)
            {
                if (keystore.BackupKeystoreId is not null)
                {
                    EvaluateLocked(RouteLocked(keystore), forceFailoverReason: null);
                }
            }
        }
    }

    /// <summary>Stops the audit writer after it wrote what is queued (or gave up after retrying for a while).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_connections is not null)
        {
            _connections.ActiveSetChanged -= UpdateActive;
        }

        _auditQueue.Writer.TryComplete();
        try
        {
            // Give a failing audit log a last chance to take what is queued, then stop retrying. Real time, not the
            // injected clock: a stopped test clock must not make disposal wait forever.
            await _auditWriter.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _disposeCts.CancelAsync().ConfigureAwait(false);
            await _auditWriter.ConfigureAwait(false);
        }

        _disposeCts.Dispose();
    }

    private static async Task AppendAsync(AuditLog audit, AuditRecord record, CancellationToken cancellationToken) =>
        await audit.AppendAsync(record, cancellationToken).ConfigureAwait(false);

    private Route RouteLocked(ActiveKeystore primary)
    {
        var backupId = primary.BackupKeystoreId!.Value;
        if (!_routes.TryGetValue(primary.Id, out var route) || route.BackupId != backupId)
        {
            route = new Route(primary.Id, backupId);
            _routes[primary.Id] = route;
        }

        return route;
    }

    /// <summary>Applies the rules to one route and publishes what changed. Caller holds the lock.</summary>
    private void EvaluateLocked(Route route, string? forceFailoverReason)
    {
        if (!_active.TryGetValue(route.PrimaryId, out var primary))
        {
            return;
        }

        var primaryHealth = _health.GetValueOrDefault(route.PrimaryId);
        var backupHealth = _health.GetValueOrDefault(route.BackupId);
        _active.TryGetValue(route.BackupId, out var backup);
        route.BackupName = backup?.Name ?? backupHealth?.Name ?? route.BackupName;
        var unavailable = backup switch
        {
            null => $"backup {route.BackupName} is not active",
            _ when backup.TenantId != primary.TenantId => $"backup {backup.Name} belongs to another tenant",
            _ when !primary.BackupVerified => $"backup {backup.Name} has not been verified for the active versions: run Verify backup",
            _ when backupHealth?.Status == KeystoreHealthStatus.Critical => $"backup {backup.Name} is Critical",
            _ => null,
        };

        if (unavailable != route.BackupUnavailableReason)
        {
            if (unavailable is not null)
            {
                _logger.LogWarning("Keystore {PrimaryName} ({PrimaryId}) cannot fail over: {Reason}.", primary.Name, primary.Id, unavailable);
            }
            else if (route.BackupUnavailableReason is not null)
            {
                _logger.LogInformation("Keystore {PrimaryName} ({PrimaryId}) can fail over to {BackupName} again.", primary.Name, primary.Id, route.BackupName);
            }

            route.BackupUnavailableReason = unavailable;
        }

        if (!route.FailedOver)
        {
            var reason = forceFailoverReason
                ?? (primaryHealth?.Status == KeystoreHealthStatus.Critical
                    ? $"{primary.Name} is Critical after {primaryHealth.ConsecutiveFailures} consecutive failures"
                    : null);
            if (reason is not null && unavailable is null)
            {
                Switch(route, primary, backup!, toBackup: true, reason);
                route.DwellUntil = forceFailoverReason is not null ? route.Since + _options.MinimumDwell : null;
            }
        }
        else
        {
            var threshold = Math.Max(1, primaryHealth?.Thresholds.FailbackAfterHealthyProbes ?? 1);
            string? reason = null;
            if (backup is null || backup.TenantId != primary.TenantId)
            {
                reason = unavailable;
            }
            else if (unavailable is not null && primaryHealth?.Status != KeystoreHealthStatus.Critical)
            {
                // Traffic never stays on an unusable backup while the primary answers.
                reason = $"{unavailable} and {primary.Name} is {primaryHealth?.Status ?? KeystoreHealthStatus.Unknown}";
            }
            else if (primaryHealth is { Status: KeystoreHealthStatus.Healthy } && route.HealthyProbes >= threshold
                && (route.DwellUntil is not { } dwell || _timeProvider.GetUtcNow() >= dwell))
            {
                reason = $"{primary.Name} is Healthy after {route.HealthyProbes} consecutive successful probes";
            }

            if (reason is not null)
            {
                Switch(route, primary, backup, toBackup: false, reason);
            }
        }

        var state = new KeystoreFailoverState
        {
            BackupKeystoreId = route.BackupId,
            BackupName = route.BackupName,
            FailedOver = route.FailedOver,
            Since = route.Since,
            Reason = route.Reason,
            BackupAvailable = unavailable is null,
            BackupUnavailableReason = unavailable,
        };
        if (state != route.Published)
        {
            route.Published = state;
            RaiseChanged(route.PrimaryId);
        }
    }

    private void Switch(Route route, ActiveKeystore primary, ActiveKeystore? backup, bool toBackup, string reason)
    {
        var now = _timeProvider.GetUtcNow();
        route.FailedOver = toBackup;
        route.Since = now;
        route.Reason = reason;
        route.HealthyProbes = 0;
        route.OperationFailures = 0;
        route.LastOperationFailureAt = null;
        route.DwellUntil = null;
        var backupName = backup?.Name ?? route.BackupName;
        if (toBackup)
        {
            _logger.LogWarning("Failover: key operations of {PrimaryName} ({PrimaryId}, tenant {TenantName}) now go to {BackupName} ({BackupId}): {Reason}.",
                primary.Name, primary.Id, primary.TenantName, backupName, route.BackupId, reason);
        }
        else
        {
            _logger.LogWarning("Failback: key operations of {PrimaryName} ({PrimaryId}, tenant {TenantName}) go to it again instead of {BackupName} ({BackupId}): {Reason}.",
                primary.Name, primary.Id, primary.TenantName, backupName, route.BackupId, reason);
        }

        var audit = new AuditRecord
        {
            Action = toBackup ? AuditActions.KeystoreFailover : AuditActions.KeystoreFailback,
            Actor = AuditActor,
            Outcome = AuditOutcome.Success,
            TenantId = primary.TenantId,
            KeystoreId = primary.Id,
            Detail = string.Create(CultureInfo.InvariantCulture,
                $"primary={primary.Name} primary_id={primary.Id} backup={backupName} backup_id={route.BackupId} reason={reason}"),
        };
        Interlocked.Increment(ref _pendingAudits);
        if (!_auditQueue.Writer.TryWrite(audit))
        {
            Interlocked.Decrement(ref _pendingAudits);
            _logger.LogError("The {Action} audit entry of keystore {PrimaryId} was not written: the coordinator is shutting down. Detail: {Detail}",
                audit.Action, primary.Id, audit.Detail);
        }

        var handlers = Switched;
        if (handlers is null)
        {
            return;
        }

        var switched = new KeystoreFailoverEvent
        {
            TenantId = primary.TenantId,
            TenantName = primary.TenantName,
            PrimaryKeystoreId = primary.Id,
            PrimaryName = primary.Name,
            BackupKeystoreId = route.BackupId,
            BackupName = backupName,
            ToBackup = toBackup,
            At = now,
            Reason = reason,
        };
        foreach (var handler in handlers.GetInvocationList().Cast<Action<KeystoreFailoverEvent>>())
        {
            try
            {
                handler(switched);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "A failover Switched handler failed for keystore {PrimaryId}.", primary.Id);
            }
        }
    }

    private void RaiseChanged(Guid primaryId)
    {
        if (Changed is not { } handlers)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Action<Guid>>())
        {
            try
            {
                handler(primaryId);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "A failover Changed handler failed for keystore {PrimaryId}.", primaryId);
            }
        }
    }

    private async Task WriteAuditsAsync()
    {
        var stopping = _disposeCts.Token;
        await foreach (var record in _auditQueue.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            var delay = s_firstAuditRetry;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await _appendAudit(record, stopping).ConfigureAwait(false);
                    Interlocked.Decrement(ref _pendingAudits);
                    break;
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    _logger.LogError(ex, "Writing the {Action} audit entry of keystore {KeystoreId} failed (attempt {Attempt}); retrying in {Delay} s.",
                        record.Action, record.KeystoreId, attempt, delay.TotalSeconds);
                    try
                    {
                        await Task.Delay(delay, _timeProvider, stopping).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Disposal: handled below.
                    }

                    delay = delay * 2 < s_maxAuditRetry ? delay * 2 : s_maxAuditRetry;
                }
                catch (Exception)
                {
                    var lost = Volatile.Read(ref _pendingAudits);
                    _logger.LogCritical("The console stopped before {Count} failover audit entries could be written; the first: {Action} {Detail}",
                        lost, record.Action, record.Detail);
                    return;
                }
            }
        }
    }

    /// <summary>One primary's routing. Guarded by the coordinator's lock.</summary>
    private sealed class Route(Guid primaryId, Guid backupId)
    {
        public Guid PrimaryId { get; } = primaryId;

        public Guid BackupId { get; } = backupId;

        public string BackupName { get; set; } = backupId.ToString();

        public bool FailedOver { get; set; }

        public DateTimeOffset? Since { get; set; }

        public string? Reason { get; set; }

        public string? BackupUnavailableReason { get; set; }

        /// <summary>Successful probes of the primary since the failover (reset by any failure).</summary>
        public int HealthyProbes { get; set; }

        /// <summary>Retryable, non-throttling operation failures of the primary in a row (while on the primary).</summary>
        public int OperationFailures { get; set; }

        public DateTimeOffset? LastOperationFailureAt { get; set; }

        /// <summary>After an operation-forced failover: no healthy-probe failback before this time.</summary>
        public DateTimeOffset? DwellUntil { get; set; }

        public KeystoreFailoverState? Published { get; set; }
    }
}
