using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Data;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Health;

/// <summary>
/// The stored, downsampled health history (table <c>health_history</c>): 1-minute buckets kept
/// <see cref="HealthOptions.HistoryMinuteRetention"/>, then rolled up into 1-hour buckets kept
/// <see cref="HealthOptions.HistoryHourRetention"/>. Singleton, thread-safe (one short-lived context per call).
/// Written by <see cref="HealthHistoryWriter"/>; read by charts through <see cref="IHealthHistory"/> and by the
/// monitor on start. Database errors propagate to the caller.
/// </summary>
public sealed class HealthHistoryStore : IHealthHistory
{
    private static readonly int s_minuteSeconds = (int)KeystoreHealthState.MinuteBucket.TotalSeconds;
    private static readonly int s_hourSeconds = (int)TimeSpan.FromHours(1).TotalSeconds;

    private readonly IDbContextFactory<OpenKcmDbContext> _dbFactory;
    private readonly HealthOptions _options;

    internal HealthHistoryStore(IDbContextFactory<OpenKcmDbContext> dbFactory, IOptions<HealthOptions> options)
    {
        ArgumentNullException.ThrowIfNull(dbFactory);
        ArgumentNullException.ThrowIfNull(options);
        _dbFactory = dbFactory;
        _options = options.Value;
    }

    /// <inheritdoc />
    /// <remarks>Minute buckets where they are still kept, hour buckets for older times; an hour is never in both.</remarks>
    public async Task<IReadOnlyList<HealthSample>> QueryAsync(Guid keystoreId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        if (to <= from)
        {
            return [];
        }

        // A bucket overlaps the range when it starts before `to` and ends after `from`: start > from - length.
        var minuteFrom = from - TimeSpan.FromSeconds(s_minuteSeconds);
        var hourFrom = from - TimeSpan.FromSeconds(s_hourSeconds);
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var rows = await db.HealthHistory.AsNoTracking()
                .Where(r => r.KeystoreId == keystoreId && r.Start < to &&
                    ((r.DurationSeconds == s_minuteSeconds && r.Start > minuteFrom) || (r.DurationSeconds == s_hourSeconds && r.Start > hourFrom)))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return [.. rows.OrderBy(r => r.Start).ThenByDescending(r => r.DurationSeconds).Select(r => ToSnapshot(r).ToSample())];
        }
    }

    /// <summary>Writes buckets, replacing stored ones with the same keystore, length and start. One transaction.</summary>
    internal async Task UpsertAsync(IReadOnlyCollection<HealthBucketSnapshot> buckets, CancellationToken cancellationToken)
    {
        if (buckets.Count == 0)
        {
            return;
        }

        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            foreach (var bucket in buckets)
            {
                var seconds = (int)bucket.Duration.TotalSeconds;
                var row = await db.HealthHistory.FindAsync([bucket.KeystoreId, seconds, bucket.Start], cancellationToken).ConfigureAwait(false);
                if (row is null)
                {
                    row = new HealthHistoryRow { KeystoreId = bucket.KeystoreId, DurationSeconds = seconds, Start = bucket.Start };
                    db.HealthHistory.Add(row);
                }

                Fill(row, bucket);
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The stored minute buckets that start at or after <paramref name="from"/>, per keystore, oldest first.</summary>
    internal async Task<Dictionary<Guid, List<HealthBucketSnapshot>>> LoadMinuteBucketsAsync(DateTimeOffset from, CancellationToken cancellationToken)
    {
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var rows = await db.HealthHistory.AsNoTracking()
                .Where(r => r.DurationSeconds == s_minuteSeconds && r.Start >= from)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return rows.OrderBy(r => r.Start).GroupBy(r => r.KeystoreId)
                .ToDictionary(g => g.Key, g => g.Select(ToSnapshot).ToList());
        }
    }

    /// <summary>
    /// Rolls minute buckets older than the minute retention (whole hours only) up into hour buckets and deletes them,
    /// then deletes hour buckets older than the hour retention. One transaction. Returns the rows deleted.
    /// </summary>
    internal async Task<int> MaintainAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var hourTicks = TimeSpan.FromHours(1).Ticks;
        var rollUpBefore = new DateTimeOffset((now - _options.HistoryMinuteRetention).UtcTicks / hourTicks * hourTicks, TimeSpan.Zero);
        var deleteHoursBefore = now - _options.HistoryHourRetention;
        var db = await _dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var old = await db.HealthHistory
                    .Where(r => r.DurationSeconds == s_minuteSeconds && r.Start < rollUpBefore)
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
                foreach (var hour in old.GroupBy(r => (r.KeystoreId, Start: new DateTimeOffset(r.Start.UtcTicks / hourTicks * hourTicks, TimeSpan.Zero))))
                {
                    var row = await db.HealthHistory.FindAsync([hour.Key.KeystoreId, s_hourSeconds, hour.Key.Start], cancellationToken).ConfigureAwait(false);
                    var merged = hour.Select(ToSnapshot).Aggregate(row is null ? Empty(hour.Key.KeystoreId, hour.Key.Start) : ToSnapshot(row), Combine);
                    if (row is null)
                    {
                        row = new HealthHistoryRow { KeystoreId = hour.Key.KeystoreId, DurationSeconds = s_hourSeconds, Start = hour.Key.Start };
                        db.HealthHistory.Add(row);
                    }

                    Fill(row, merged);
                }

                db.HealthHistory.RemoveRange(old);
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                var expired = await db.HealthHistory
                    .Where(r => r.DurationSeconds == s_hourSeconds && r.Start < deleteHoursBefore)
                    .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return old.Count + expired;
            }
        }
    }

    private static HealthBucketSnapshot Empty(Guid keystoreId, DateTimeOffset start) => new()
    {
        KeystoreId = keystoreId,
        Start = start,
        Duration = TimeSpan.FromHours(1),
        Bins = new long[LatencyHistogram.BinCount],
    };

    private static HealthBucketSnapshot Combine(HealthBucketSnapshot a, HealthBucketSnapshot b)
    {
        var bins = new long[LatencyHistogram.BinCount];
        for (var i = 0; i < bins.Length; i++)
        {
            bins[i] = a.Bins[i] + b.Bins[i];
        }

        return a with
        {
            Probes = a.Probes + b.Probes,
            Operations = a.Operations + b.Operations,
            Successes = a.Successes + b.Successes,
            Failures = a.Failures + b.Failures,
            LatencySumTicks = a.LatencySumTicks + b.LatencySumTicks,
            MaxLatencyTicks = Math.Max(a.MaxLatencyTicks, b.MaxLatencyTicks),
            Bins = bins,
            LastError = b.LastError is { } e && (a.LastError is null || e.At > a.LastError.At) ? e : a.LastError,
        };
    }

    private static void Fill(HealthHistoryRow row, HealthBucketSnapshot bucket)
    {
        row.Probes = bucket.Probes;
        row.Operations = bucket.Operations;
        row.Successes = bucket.Successes;
        row.Failures = bucket.Failures;
        row.LatencySumTicks = bucket.LatencySumTicks;
        row.MaxLatencyTicks = bucket.MaxLatencyTicks;
        row.Histogram = LatencyHistogram.Encode(bucket.Bins);
        row.LastErrorKind = bucket.LastError is null ? null : bucket.LastError.Kind?.ToString() ?? "Unexpected";
        row.LastErrorMessage = bucket.LastError?.Message is { } message && message.Length > 1024 ? message[..1024] : bucket.LastError?.Message;
        row.LastErrorAt = bucket.LastError?.At;
    }

    private static HealthBucketSnapshot ToSnapshot(HealthHistoryRow row)
    {
        var bins = new long[LatencyHistogram.BinCount];
        LatencyHistogram.DecodeInto(row.Histogram, bins);
        return new HealthBucketSnapshot
        {
            KeystoreId = row.KeystoreId,
            Start = row.Start,
            Duration = TimeSpan.FromSeconds(row.DurationSeconds),
            Probes = row.Probes,
            Operations = row.Operations,
            Successes = row.Successes,
            Failures = row.Failures,
            LatencySumTicks = row.LatencySumTicks,
            MaxLatencyTicks = row.MaxLatencyTicks,
            Bins = bins,
            LastError = row.LastErrorMessage is { } message && row.LastErrorAt is { } at
                ? new KeystoreHealthError
                {
                    Kind = Enum.TryParse<KeystoreErrorKind>(row.LastErrorKind, out var kind) ? kind : null,
                    Message = message,
                    At = at,
                }
                : null,
        };
    }
}
