using System.Collections.Immutable;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;
using OpenKcm.Core.Health;
using OpenKcm.Core.Operations;

namespace OpenKcm.Core.Alerts;

/// <summary>
/// Raises, stores, lists and acknowledges alerts. It listens to the health monitor (status changes) and, when one is
/// registered, to <see cref="IKeystoreFailoverState.Switched"/>; the expiry scan and other components call
/// <see cref="Enqueue"/>.
/// <para>
/// Threading: the listener callbacks and <see cref="Enqueue"/> only put a request on a bounded queue and return; one
/// background writer does the database work (dedup, coalescing, audit <c>alert.raise</c>, one webhook delivery per
/// enabled webhook) and retries with backoff while the database fails, so a broken disk delays alerts but neither
/// blocks the monitor nor loses them (only a queue overflow of <see cref="QueueCapacity"/> drops, and is logged).
/// <see cref="Changed"/> is raised on the writer's thread (or the acknowledging caller's) after each change:
/// handlers must not block.
/// </para>
/// <para>Lifetime: singleton and hosted service; <see cref="StopAsync"/> drains the queue.</para>
/// </summary>
public sealed class AlertCentre : IKeystoreHealthListener, IHostedService, IAsyncDisposable
{
    /// <summary>Requests waiting for the writer at most; more are dropped with an error log.</summary>
    public const int QueueCapacity = 10_000;

    private static readonly Actor s_actor = Actor.Component("alerts");
    private static readonly TimeSpan s_maxWriteRetryDelay = TimeSpan.FromSeconds(30);

    private readonly IDbContextFactory<OpenKcmDbContext> _dbFactory;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly AlertOptions _options;
    private readonly ILogger<AlertCentre> _logger;
    private readonly IKeystoreFailoverState? _failover;
    private readonly Action _deliveriesAdded;
    private readonly Channel<object> _queue = Channel.CreateBounded<object>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _startLock = new();
    private Task? _loop;
    private int _unacknowledged;
    private long _dropped;

    internal AlertCentre(
        IDbContextFactory<OpenKcmDbContext> dbFactory,
        AuditLog audit,
        TimeProvider time,
        AlertOptions options,
        ILogger<AlertCentre> logger,
        Action deliveriesAdded,
        IKeystoreFailoverState? failover = null)
    {
        _dbFactory = dbFactory;
        _audit = audit;
        _time = time;
        _options = options;
        _logger = logger;
        _deliveriesAdded = deliveriesAdded;
        _failover = failover;
        if (_failover is not null)
        {
            _failover.Switched += OnFailoverSwitched;
        }
    }

    /// <summary>Raised after an alert is raised, coalesced or acknowledged, or a delivery changed state.</summary>
    public event Action? Changed;

    /// <summary>Alerts not yet acknowledged (as of the last change this process made or saw at start).</summary>
    public int UnacknowledgedCount => Volatile.Read(ref _unacknowledged);

    /// <summary>Requests dropped because the queue was full (process lifetime).</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_loop is { } loop)
        {
            try
            {
                await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The host gave up waiting: stop retrying writes.
                await _stopping.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_failover is not null)
        {
            _failover.Switched -= OnFailoverSwitched;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Queues <paramref name="request"/> for the writer. Never blocks; false when the queue is full or stopped.</summary>
    public bool Enqueue(AlertRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureStarted();
        if (_queue.Writer.TryWrite(request))
        {
            return true;
        }

        var dropped = Interlocked.Increment(ref _dropped);
        _logger.LogError("Alert '{Title}' dropped: the alert queue is full or stopped ({Dropped} dropped so far).", request.Title, dropped);
        return false;
    }

    /// <summary>Completes once every request queued before the call has been written (or given up at shutdown).</summary>
    public Task WhenWrittenAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite(marker) ? marker.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
    }

    /// <inheritdoc />
    public void OnHealthChanged(KeystoreHealth? previous, KeystoreHealth current, HealthObservation? observation)
    {
        ArgumentNullException.ThrowIfNull(current);
        var before = previous?.Status ?? KeystoreHealthStatus.Unknown;
        if (before == current.Status)
        {
            return;
        }

        var at = observation?.At ?? _time.GetUtcNow();
        AlertRequest? request = current.Status switch
        {
            KeystoreHealthStatus.Warning => Status(current, AlertType.StatusWarning, AlertSeverity.Warning, at,
                $"{current.Name} is Warning", WarningDetail(current)),
            KeystoreHealthStatus.Critical => Status(current, AlertType.StatusCritical, AlertSeverity.Critical, at,
                $"{current.Name} is Critical",
                $"{current.ConsecutiveFailures} consecutive failures. {ErrorText(current)}".Trim()),
            KeystoreHealthStatus.Healthy when before is KeystoreHealthStatus.Warning or KeystoreHealthStatus.Critical =>
                Status(current, AlertType.Recovered, AlertSeverity.Info, at, $"{current.Name} recovered",
                    $"Healthy again after {before}."),
            _ => null,
        };

        if (request is not null)
        {
            Enqueue(request);
        }
    }

    /// <inheritdoc />
    public void OnRemoved(Guid keystoreId)
    {
        // A keystore leaving monitoring (suspended, retired) is an administrator's action, audited where it happens.
    }

    /// <summary>Alerts matching <paramref name="query"/>, newest (latest occurrence) first, with their deliveries.</summary>
    public async Task<AlertPage> ListAsync(AlertQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var q = db.Alerts.AsNoTracking();
            if (query.Severity is { } severity)
            {
                q = q.Where(a => a.Severity == severity);
            }

            if (query.Type is { } type)
            {
                q = q.Where(a => a.Type == type);
            }

            if (query.KeystoreId is { } keystoreId)
            {
                q = q.Where(a => a.KeystoreId == keystoreId);
            }

            if (query.Acknowledged is { } acknowledged)
            {
                q = acknowledged ? q.Where(a => a.AcknowledgedAt != null) : q.Where(a => a.AcknowledgedAt == null);
            }

            if (query.From is { } from)
            {
                q = q.Where(a => a.LastOccurredAt >= from);
            }

            var total = await q.CountAsync(cancellationToken).ConfigureAwait(false);
            var alerts = await q.OrderByDescending(a => a.LastOccurredAt).ThenByDescending(a => a.RaisedAt)
                .Skip(Math.Max(0, query.Skip))
                .Take(Math.Clamp(query.Take, 1, AlertQuery.MaxTake))
                .ToListAsync(cancellationToken).ConfigureAwait(false);

            var ids = alerts.Select(a => a.Id).ToList();
            var deliveries = await (
                    from d in db.WebhookDeliveries.AsNoTracking()
                    join w in db.Webhooks.AsNoTracking() on d.WebhookId equals w.Id
                    where d.AlertId != null && ids.Contains(d.AlertId.Value)
                    select new { Delivery = d, WebhookName = w.Name })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var byAlert = deliveries.ToLookup(x => x.Delivery.AlertId!.Value);

            var items = alerts.Select(a => new AlertListItem(a,
                [.. byAlert[a.Id].OrderBy(x => x.WebhookName, StringComparer.Ordinal)
                    .Select(x => AlertDeliveryStatus.From(x.Delivery, x.WebhookName))]));
            return new AlertPage([.. items], total);
        }
    }

    /// <summary>
    /// Acknowledges the given alerts (those not yet acknowledged; others are left as they are), keeping who and when;
    /// audited as <c>alert.acknowledge</c>, one entry per alert, in one transaction. Returns how many were
    /// acknowledged. Who may acknowledge is the caller's decision (the console: Administrator, KeyAdministrator,
    /// Operator). Throws <see cref="AuditWriteException"/> when the audit entries cannot be written (nothing changes).
    /// </summary>
    public async Task<int> AcknowledgeAsync(IReadOnlyCollection<Guid> alertIds, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alertIds);
        ArgumentNullException.ThrowIfNull(actor);
        if (alertIds.Count == 0)
        {
            return 0;
        }

        var ids = alertIds.Distinct().ToList();
        int acknowledged;
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var alerts = await db.Alerts.Where(a => ids.Contains(a.Id) && a.AcknowledgedAt == null)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (alerts.Count == 0)
            {
                return 0;
            }

            var now = _time.GetUtcNow();
            foreach (var a in alerts)
            {
                a.AcknowledgedAt = now;
                a.AcknowledgedById = actor.Id;
                a.AcknowledgedByName = actor.Name;
            }

            await _audit.CommitAsync(db, [.. alerts.Select(a => new AuditRecord
            {
                Action = AuditActions.AlertAcknowledge,
                Actor = actor,
                Outcome = AuditOutcome.Success,
                TenantId = a.TenantId,
                KeystoreId = a.KeystoreId,
                Detail = $"alert={a.Id} type={a.Type} title={a.Title}",
            })], cancellationToken).ConfigureAwait(false);
            await RefreshCountAsync(db, CancellationToken.None).ConfigureAwait(false);
            acknowledged = alerts.Count;
        }

        RaiseChanged();
        return acknowledged;
    }

    /// <summary>Re-reads the unacknowledged count (start-up) and tells subscribers.</summary>
    internal async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            await RefreshCountAsync(db, cancellationToken).ConfigureAwait(false);
        }

        RaiseChanged();
    }

    /// <summary>For the webhook dispatcher: a delivery changed state.</summary>
    internal void RaiseChanged()
    {
        try
        {
            Changed?.Invoke();
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "An alert change handler threw.");
        }
    }

    private static AlertRequest Status(
        KeystoreHealth h, AlertType type, AlertSeverity severity, DateTimeOffset at, string title, string? detail) => new()
    {
        Type = type,
        Severity = severity,
        At = at,
        Title = title,
        Detail = detail,
        TenantId = h.TenantId,
        TenantName = h.TenantName,
        KeystoreId = h.KeystoreId,
        KeystoreName = h.Name,
        Coalesce = true,
    };

    private static string WarningDetail(KeystoreHealth h)
    {
        if (h.ConsecutiveFailures > 0)
        {
            return $"{h.ConsecutiveFailures} consecutive failure(s). {ErrorText(h)}".Trim();
        }

        return h.AverageLatency is { } avg
            ? string.Create(CultureInfo.InvariantCulture,
                $"Average latency {avg.TotalMilliseconds:0.#} ms is above the warning threshold of {h.Thresholds.WarningLatency.TotalMilliseconds:0.#} ms.")
            : "Degraded.";
    }

    private static string ErrorText(KeystoreHealth h) =>
        h.LastError is { } e ? $"Last error{(e.Kind is { } k ? $" ({k})" : "")}: {e.Message}" : "";

    private void OnFailoverSwitched(KeystoreFailoverEvent e) => Enqueue(new AlertRequest
    {
        Type = e.ToBackup ? AlertType.Failover : AlertType.Failback,
        Severity = e.ToBackup ? AlertSeverity.Critical : AlertSeverity.Info,
        At = e.At,
        Title = e.ToBackup
            ? $"{e.PrimaryName} failed over to {e.BackupName}"
            : $"{e.PrimaryName} failed back from {e.BackupName}",
        Detail = e.Reason,
        TenantId = e.TenantId,
        TenantName = e.TenantName,
        KeystoreId = e.PrimaryKeystoreId,
        KeystoreName = e.PrimaryName,
    });

    private void EnsureStarted()
    {
        if (_loop is not null)
        {
            return;
        }

        lock (_startLock)
        {
            _loop ??= Task.Run(WriterLoopAsync);
        }
    }

    private async Task WriterLoopAsync()
    {
        try
        {
            await RefreshAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Could not read the unacknowledged alert count at start.");
        }

        await foreach (var item in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (item is TaskCompletionSource marker)
            {
                marker.TrySetResult();
                continue;
            }

            var request = (AlertRequest)item;
            var delay = TimeSpan.FromSeconds(1);
            while (true)
            {
                try
                {
                    await WriteAsync(request).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (!_stopping.IsCancellationRequested)
                {
                    // Keep the alert: the database may come back (full disk freed, lock released).
                    _logger.LogError(ex, "Could not store alert '{Title}'; retrying in {Delay}.", request.Title, delay);
                    try
                    {
                        await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, s_maxWriteRetryDelay.Ticks));
                }
                catch (Exception ex)
                {
                    _logger.LogError(ex, "Alert '{Title}' not stored: shutting down.", request.Title);
                    break;
                }
            }
        }
    }

    private async Task WriteAsync(AlertRequest request)
    {
        var ct = _stopping.Token;
        var db = await _dbFactory.CreateDbContextAsync(ct).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            if (request.DedupKey is { } key
                && await db.Alerts.AnyAsync(a => a.DedupKey == key, ct).ConfigureAwait(false))
            {
                return;
            }

            if (request.Coalesce && _options.CoalesceWindow > TimeSpan.Zero && request.KeystoreId is { } keystoreId)
            {
                var since = request.At - _options.CoalesceWindow;
                var recent = await db.Alerts
                    .Where(a => a.KeystoreId == keystoreId && a.Type == request.Type && a.AcknowledgedAt == null
                        && a.LastOccurredAt >= since)
                    .OrderByDescending(a => a.LastOccurredAt)
                    .FirstOrDefaultAsync(ct).ConfigureAwait(false);
                if (recent is not null)
                {
                    recent.OccurrenceCount++;
                    recent.LastOccurredAt = request.At > recent.LastOccurredAt ? request.At : recent.LastOccurredAt;
                    recent.Detail = request.Detail;
                    await db.SaveChangesAsync(ct).ConfigureAwait(false);
                    RaiseChanged();
                    return;
                }
            }

            var alert = new Alert
            {
                Id = Guid.NewGuid(),
                RaisedAt = request.At,
                LastOccurredAt = request.At,
                OccurrenceCount = 1,
                Type = request.Type,
                Severity = request.Severity,
                TenantId = request.TenantId,
                TenantName = request.TenantName,
                KeystoreId = request.KeystoreId,
                KeystoreName = request.KeystoreName,
                Title = Truncate(request.Title, 256),
                Detail = request.Detail is null ? null : Truncate(request.Detail, 1024),
                DedupKey = request.DedupKey,
            };
            db.Alerts.Add(alert);

            var now = _time.GetUtcNow();
            var webhooks = await db.Webhooks.AsNoTracking().Where(w => w.Enabled).Select(w => w.Id)
                .ToListAsync(ct).ConfigureAwait(false);
            var payload = WebhookPayload.ForAlert(alert.Id, alert, now);
            foreach (var webhookId in webhooks)
            {
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    Id = Guid.NewGuid(),
                    WebhookId = webhookId,
                    AlertId = alert.Id,
                    EventId = alert.Id,
                    EventType = WebhookPayload.AlertRaised,
                    Payload = payload,
                    State = WebhookDeliveryState.Pending,
                    Attempts = 0,
                    CreatedAt = now,
                    NextAttemptAt = now,
                });
            }

            await _audit.CommitAsync(db, [new AuditRecord
            {
                Action = AuditActions.AlertRaise,
                Actor = s_actor,
                Outcome = AuditOutcome.Success,
                TenantId = alert.TenantId,
                KeystoreId = alert.KeystoreId,
                Detail = $"alert={alert.Id} type={alert.Type} severity={alert.Severity} title={alert.Title} webhooks={webhooks.Count}",
            }], ct).ConfigureAwait(false);
            await RefreshCountAsync(db, CancellationToken.None).ConfigureAwait(false);
            if (webhooks.Count > 0)
            {
                _deliveriesAdded();
            }
        }

        RaiseChanged();
    }

    private async Task RefreshCountAsync(OpenKcmDbContext db, CancellationToken cancellationToken)
    {
        var count = await db.Alerts.CountAsync(a => a.AcknowledgedAt == null, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _unacknowledged, count);
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
