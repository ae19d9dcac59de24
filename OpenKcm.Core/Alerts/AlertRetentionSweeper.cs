using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;

namespace OpenKcm.Core.Alerts;

/// <summary>
/// Deletes closed alerts whose last occurrence is older than <see cref="AlertOptions.Retention"/>, with their webhook
/// deliveries, at start and every <see cref="AlertOptions.RetentionSweepInterval"/>. Closed = acknowledged and every
/// delivery of the alert Delivered or Failed. Never deleted: an unacknowledged alert, one with a Pending or Delivering
/// delivery, anything whose <see cref="Alert.LastOccurredAt"/> is within the retention (a coalesced alert counts from
/// its latest occurrence), and one-time alerts with a <see cref="Alert.DedupKey"/> (expiry): their row is what keeps
/// the expiry scan from raising the same item and threshold again. Test-event deliveries (no alert) are not touched.
/// <para>
/// Each batch of at most <see cref="BatchSize"/> alerts is one transaction with one <c>alert.retention</c> audit entry
/// (counts and cutoff), written ahead like every audited change; a sweep with nothing to delete writes none. A failed
/// sweep is logged and counted in <see cref="FailedSweeps"/>, and the next interval tries again. Short transactions, so
/// the alert writer and the webhook dispatcher (which share the database's single writer) wait at most one batch.
/// </para>
/// <para>Lifetime: singleton and hosted service. <see cref="SweepAsync"/> may be called at any time; the loop and a
/// direct call may overlap safely (a second delete of the same rows finds nothing or fails and is retried).</para>
/// </summary>
public sealed class AlertRetentionSweeper : BackgroundService
{
    /// <summary>Alerts deleted per transaction at most; a larger backlog takes several batches in the same sweep.</summary>
    public const int BatchSize = 1000;

    // The alert centre's actor: retention is the alert subsystem acting on its own.
    private static readonly Actor s_actor = Actor.Component("alerts");

    private readonly IDbContextFactory<OpenKcmDbContext> _dbFactory;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly AlertOptions _options;
    private readonly ILogger<AlertRetentionSweeper> _logger;
    private readonly Action _changed;
    private long _completed;
    private long _failed;

    internal AlertRetentionSweeper(
        IDbContextFactory<OpenKcmDbContext> dbFactory, AuditLog audit, TimeProvider time, AlertOptions options,
        ILogger<AlertRetentionSweeper> logger, Action changed)
    {
        _dbFactory = dbFactory;
        _audit = audit;
        _time = time;
        _options = options;
        _logger = logger;
        _changed = changed;
    }

    /// <summary>Sweeps run by the background loop that completed (whether or not they deleted anything).</summary>
    public long CompletedSweeps => Interlocked.Read(ref _completed);

    /// <summary>Sweeps run by the background loop that failed (logged; retried at the next interval).</summary>
    public long FailedSweeps => Interlocked.Read(ref _failed);

    /// <summary>
    /// One sweep: deletes every closed alert last seen before now − <see cref="AlertOptions.Retention"/>, with its
    /// deliveries, batch by batch. Returns the totals deleted. Throws what the database or the audit log throws
    /// (<see cref="AuditWriteException"/> when the audit entry cannot be written: that batch deletes nothing); batches
    /// committed before the failure stay deleted.
    /// </summary>
    public async Task<AlertRetentionResult> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = Cutoff(_time.GetUtcNow(), _options.Retention);
        var alerts = 0;
        var deliveries = 0;
        while (true)
        {
            var (batchAlerts, batchDeliveries) = await DeleteBatchAsync(cutoff, cancellationToken).ConfigureAwait(false);
            alerts += batchAlerts;
            deliveries += batchDeliveries;
            if (batchAlerts < BatchSize)
            {
                break;
            }
        }

        if (alerts > 0)
        {
            _logger.LogInformation(
                "Alert retention deleted {Alerts} alert(s) and {Deliveries} webhook delivery(ies) last seen before {Cutoff:O}.",
                alerts, deliveries, cutoff);
            _changed();
        }

        return new AlertRetentionResult(alerts, deliveries, cutoff);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken).ConfigureAwait(false);
                Interlocked.Increment(ref _completed);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _failed);
                _logger.LogError(ex, "Alert retention sweep failed; next try in {Interval}.", _options.RetentionSweepInterval);
            }

            try
            {
                await Task.Delay(_options.RetentionSweepInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>now − retention, or the earliest instant when the retention reaches back further than that.</summary>
    internal static DateTimeOffset Cutoff(DateTimeOffset now, TimeSpan retention) =>
        now - DateTimeOffset.MinValue <= retention ? DateTimeOffset.MinValue : now - retention;

    private async Task<(int Alerts, int Deliveries)> DeleteBatchAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var ids = await db.Alerts.AsNoTracking()
                .Where(a => a.AcknowledgedAt != null && a.DedupKey == null && a.LastOccurredAt < cutoff
                    && !db.WebhookDeliveries.Any(d => d.AlertId == a.Id
                        && d.State != WebhookDeliveryState.Delivered && d.State != WebhookDeliveryState.Failed))
                .OrderBy(a => a.LastOccurredAt)
                .Select(a => a.Id)
                .Take(BatchSize)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (ids.Count == 0)
            {
                return (0, 0);
            }

            // Tracked, so SaveChanges deletes exactly these rows in one transaction (deliveries before their alerts).
            // Nothing can reopen them meanwhile: acknowledgement is final, final delivery states are final, and
            // deliveries are only ever added to a new alert.
            var deliveries = await db.WebhookDeliveries
                .Where(d => d.AlertId != null && ids.Contains(d.AlertId.Value))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var alerts = await db.Alerts.Where(a => ids.Contains(a.Id)).ToListAsync(cancellationToken).ConfigureAwait(false);
            db.WebhookDeliveries.RemoveRange(deliveries);
            db.Alerts.RemoveRange(alerts);

            await _audit.CommitAsync(db, [new AuditRecord
            {
                Action = AuditActions.AlertRetention,
                Actor = s_actor,
                Outcome = AuditOutcome.Success,
                Detail = string.Create(CultureInfo.InvariantCulture,
                    $"alerts={alerts.Count} deliveries={deliveries.Count} cutoff={UtcTimestampConverter.ToText(cutoff)} retention={_options.Retention}"),
            }], cancellationToken).ConfigureAwait(false);
            return (alerts.Count, deliveries.Count);
        }
    }
}
