using System.Collections.Immutable;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Components.Dashboard.Model;

/// <summary>
/// The dashboard's tiles: the feed's snapshot with its changes applied, ordered by tenant then name.
/// Not thread-safe: the page applies batches on the renderer's context.
/// </summary>
public sealed class DashboardViewModel
{
    private ImmutableDictionary<Guid, KeystoreHealth> _byId = ImmutableDictionary<Guid, KeystoreHealth>.Empty;

    public ImmutableArray<KeystoreHealth> Tiles { get; private set; } = [];

    public void Load(ImmutableArray<KeystoreHealth> snapshot)
    {
        _byId = snapshot.ToImmutableDictionary(h => h.KeystoreId);
        Refresh();
    }

    /// <summary>Applies one batch; returns false when nothing visible changed (no re-render needed).</summary>
    public bool Apply(IReadOnlyList<KeystoreHealthChange> batch)
    {
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

    public int CountWith(KeystoreHealthStatus status) => Tiles.Count(t => t.Status == status);

    private void Refresh() => Tiles = [.. _byId.Values
        .OrderBy(h => h.TenantName, StringComparer.Ordinal)
        .ThenBy(h => h.Name, StringComparer.Ordinal)];

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

    public static string Latency(TimeSpan? latency) => latency is { } l ? $"{l.TotalMilliseconds:0.#} ms" : "—";
}
