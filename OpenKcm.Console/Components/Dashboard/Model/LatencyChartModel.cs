using System.Collections.Immutable;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Components.Dashboard.Model;

/// <summary>
/// What the latency chart plots for one keystore over a <see cref="ChartRange"/>: the stored, downsampled history
/// (<see cref="IHealthHistory"/>) plus live points taken from the feed while the page is open. Not thread-safe: used
/// on the renderer's context.
/// </summary>
public sealed class LatencyChartModel
{
    /// <summary>Live points kept at most (the oldest go first), so a page left open for days stays small.</summary>
    public const int MaxLivePoints = 2000;

    private readonly List<LatencyPoint> _live = [];
    private ImmutableArray<HealthSample> _stored = [];

    /// <summary>The keystore charted; null before one is chosen.</summary>
    public Guid? KeystoreId { get; private set; }

    public ChartRange Range { get; private set; } = ChartRange.OneHour;

    /// <summary>Average latency of each stored bucket that has one, oldest first.</summary>
    public IReadOnlyList<LatencyPoint> StoredAverage { get; private set; } = [];

    /// <summary>p95 latency of each stored bucket that has one, oldest first.</summary>
    public IReadOnlyList<LatencyPoint> StoredP95 { get; private set; } = [];

    /// <summary>The rolling 1-minute average latency each time the feed delivered a new result, oldest first.</summary>
    public IReadOnlyList<LatencyPoint> Live => _live;

    public int StoredCount => _stored.Length;

    /// <summary>Charts <paramref name="keystoreId"/> from now on: clears stored and live points when it changes.</summary>
    public void Select(Guid? keystoreId)
    {
        if (KeystoreId == keystoreId)
        {
            return;
        }

        KeystoreId = keystoreId;
        _live.Clear();
        SetStored([]);
    }

    public void SetRange(ChartRange range) => Range = range;

    /// <summary>Replaces the stored history (the newest query's answer for <see cref="KeystoreId"/> and <see cref="Range"/>).</summary>
    public void SetStored(IEnumerable<HealthSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        _stored = [.. samples.Where(s => s.KeystoreId == KeystoreId).OrderBy(s => s.Start)];
        StoredAverage = [.. _stored.Where(s => s.AverageLatency is not null).Select(s => Point(s.Start + (s.Duration / 2), s.AverageLatency!.Value))];
        StoredP95 = [.. _stored.Where(s => s.P95Latency is not null).Select(s => Point(s.Start + (s.Duration / 2), s.P95Latency!.Value))];
    }

    /// <summary>
    /// Adds a live point from the feed's latest state of the charted keystore (ignored for another keystore, without an
    /// average latency or with no newer result than the last point). Returns true when a point was added.
    /// </summary>
    public bool AddLive(KeystoreHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        if (health.KeystoreId != KeystoreId || health.AverageLatency is not { } average
            || (health.LastResultAt ?? health.LastProbeAt) is not { } at)
        {
            return false;
        }

        var time = at.UtcDateTime;
        if (_live.Count > 0 && _live[^1].Time >= time)
        {
            return false;
        }

        _live.Add(new LatencyPoint(time, average.TotalMilliseconds));
        if (_live.Count > MaxLivePoints)
        {
            _live.RemoveRange(0, _live.Count - MaxLivePoints);
        }

        return true;
    }

    /// <summary>Drops live points that fell out of the range ending at <paramref name="now"/>.</summary>
    public void TrimLive(DateTimeOffset now)
    {
        var from = (now - Length(Range)).UtcDateTime;
        _live.RemoveAll(p => p.Time < from);
    }

    public static TimeSpan Length(ChartRange range) => range switch
    {
        ChartRange.FifteenMinutes => TimeSpan.FromMinutes(15),
        ChartRange.OneDay => TimeSpan.FromDays(1),
        ChartRange.SevenDays => TimeSpan.FromDays(7),
        _ => TimeSpan.FromHours(1),
    };

    public static string Text(ChartRange range) => range switch
    {
        ChartRange.FifteenMinutes => "15 min",
        ChartRange.OneDay => "24 h",
        ChartRange.SevenDays => "7 days",
        _ => "1 h",
    };

    private static LatencyPoint Point(DateTimeOffset at, TimeSpan latency) => new(at.UtcDateTime, latency.TotalMilliseconds);
}
