using System.Collections.Immutable;
using System.Globalization;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Components.Dashboard.Model;

/// <summary>
/// The dashboard's and the NOC page's tiles: the feed's snapshot with its changes applied, ordered by tenant then
/// name, with the chosen metrics window and filters. Not thread-safe: the page applies batches on the renderer's
/// context.
/// </summary>
public sealed class DashboardViewModel
{
    private ImmutableDictionary<Guid, KeystoreHealth> _byId = ImmutableDictionary<Guid, KeystoreHealth>.Empty;
    private ImmutableDictionary<Guid, ImmutableArray<KeystoreHealth>> _primariesByBackup = ImmutableDictionary<Guid, ImmutableArray<KeystoreHealth>>.Empty;

    /// <summary>Every monitored keystore (unfiltered), ordered by tenant then name.</summary>
    public ImmutableArray<KeystoreHealth> Tiles { get; private set; } = [];

    /// <summary>The rolling window the tiles' metrics show. Default one hour.</summary>
    public MetricsWindow Window { get; set; } = MetricsWindow.OneHour;

    /// <summary>Show only this tenant's keystores; null for all.</summary>
    public string? TenantFilter { get; set; }

    /// <summary>Show only keystores in this status; null for all.</summary>
    public KeystoreHealthStatus? StatusFilter { get; set; }

    /// <summary>The tiles that pass <see cref="TenantFilter"/> and <see cref="StatusFilter"/>.</summary>
    public IEnumerable<KeystoreHealth> VisibleTiles => Tiles.Where(t =>
        (TenantFilter is null || string.Equals(t.TenantName, TenantFilter, StringComparison.Ordinal))
        && (StatusFilter is null || t.Status == StatusFilter));

    /// <summary>The tenant names that have at least one keystore, ordered.</summary>
    public IEnumerable<string> Tenants => Tiles.Select(t => t.TenantName).Distinct(StringComparer.Ordinal);

    public void Load(ImmutableArray<KeystoreHealth> snapshot)
    {
        _byId = snapshot.ToImmutableDictionary(h => h.KeystoreId);
        Refresh();
    }

    /// <summary>Applies one batch; returns false when nothing visible changed (no re-render needed).</summary>
    public bool Apply(IReadOnlyList<KeystoreHealthChange> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var before = _byId;
        foreach (var change in batch)
        {
            _byId = change.Kind == KeystoreHealthChangeKind.Upserted && change.Health is { } health
                ? _byId.SetItem(change.KeystoreId, health)
                : _byId.Remove(change.KeystoreId);
        }

        if (ReferenceEquals(before, _byId))
        {
            return false;
        }

        Refresh();
        return true;
    }

    public KeystoreHealth? Find(Guid keystoreId) => _byId.GetValueOrDefault(keystoreId);

    public int CountWith(KeystoreHealthStatus status) => Tiles.Count(t => t.Status == status);

    /// <summary>Keystores currently sending their key operations to their backup.</summary>
    public int FailedOverCount => Tiles.Count(t => t.Failover is { FailedOver: true });

    /// <summary>
    /// The primaries that name <paramref name="keystoreId"/> as their backup, derived from the other tiles (a backup
    /// does not know its primaries); empty when none.
    /// </summary>
    public ImmutableArray<KeystoreHealth> PrimariesOf(Guid keystoreId) =>
        _primariesByBackup.GetValueOrDefault(keystoreId, []);

    /// <summary>
    /// The critical keystore whose current failure is the newest (by its error's time, then name): what a wall
    /// display shows largest. Null when no keystore is critical.
    /// </summary>
    public KeystoreHealth? LatestCritical => Tiles
        .Where(t => t.Status == KeystoreHealthStatus.Critical)
        .OrderByDescending(t => t.LastError?.At ?? DateTimeOffset.MinValue)
        .ThenBy(t => t.Name, StringComparer.Ordinal)
        .FirstOrDefault();

    private void Refresh()
    {
        Tiles = [.. _byId.Values
            .OrderBy(h => h.TenantName, StringComparer.Ordinal)
            .ThenBy(h => h.Name, StringComparer.Ordinal)];
        _primariesByBackup = Tiles
            .Where(t => t.Failover is not null)
            .GroupBy(t => t.Failover!.BackupKeystoreId)
            .ToImmutableDictionary(g => g.Key, g => g.ToImmutableArray());
    }

    /// <summary>The stats of <paramref name="window"/> from <paramref name="health"/>.</summary>
    public static HealthWindowStats Stats(KeystoreHealth health, MetricsWindow window)
    {
        ArgumentNullException.ThrowIfNull(health);
        return window switch
        {
            MetricsWindow.OneMinute => health.Windows.LastMinute,
            MetricsWindow.OneDay => health.Windows.LastDay,
            _ => health.Windows.LastHour,
        };
    }

    public static string WindowText(MetricsWindow window) => window switch
    {
        MetricsWindow.OneMinute => "1 min",
        MetricsWindow.OneDay => "24 h",
        _ => "1 h",
    };

    public static string StatusText(KeystoreHealthStatus status) => status switch
    {
        KeystoreHealthStatus.Healthy => "Healthy",
        KeystoreHealthStatus.Warning => "Warning",
        KeystoreHealthStatus.Critical => "Critical",
        _ => "Unknown",
    };

    public static string StatusCss(KeystoreHealthStatus status) => status switch
    {
        KeystoreHealthStatus.Healthy => "status-healthy",
        KeystoreHealthStatus.Warning => "status-warning",
        KeystoreHealthStatus.Critical => "status-critical",
        _ => "status-unknown",
    };

    public static string Latency(TimeSpan? latency) =>
        latency is { } l ? string.Create(CultureInfo.InvariantCulture, $"{l.TotalMilliseconds:0.#} ms") : "—";

    /// <summary>A 0–1 rate as a percentage with one decimal ("99.8 %"); "—" when there is no result to rate.</summary>
    public static string Percent(double? rate) =>
        rate is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r * 100:0.#} %") : "—";

    /// <summary>Operations per hour, rounded, with thousands separators ("2,450").</summary>
    public static string PerHour(double operationsPerHour) =>
        Math.Round(operationsPerHour).ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>A UTC time of day ("09:30:15 UTC").</summary>
    public static string Time(DateTimeOffset at) =>
        at.UtcDateTime.ToString("HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
