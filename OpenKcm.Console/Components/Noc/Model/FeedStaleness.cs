using OpenKcm.Core.Health;

namespace OpenKcm.Console.Components.Noc.Model;

/// <summary>
/// Decides when a wall display's data is stale: no feed update has arrived for longer than
/// <see cref="Factor"/> × the longest probe interval of the shown keystores, and never sooner than
/// <see cref="Minimum"/>. Each probe changes a keystore's <see cref="KeystoreHealth.LastProbeAt"/>, so a healthy
/// pipeline publishes at least once per probe interval. Not thread-safe: used on the renderer's context.
/// </summary>
public sealed class FeedStaleness
{
    /// <summary>The shortest silence that counts as stale.</summary>
    public static readonly TimeSpan Minimum = TimeSpan.FromSeconds(30);

    /// <summary>How many probe intervals may pass without an update.</summary>
    public const int Factor = 3;

    private readonly TimeSpan _defaultProbeInterval;

    /// <param name="defaultProbeInterval">The console's probe interval for keystores without their own (<see cref="HealthOptions.ProbeInterval"/>).</param>
    /// <param name="subscribedAt">When the page subscribed: the snapshot counts as the first update.</param>
    public FeedStaleness(TimeSpan defaultProbeInterval, DateTimeOffset subscribedAt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(defaultProbeInterval, TimeSpan.Zero);
        _defaultProbeInterval = defaultProbeInterval;
        LastUpdateAt = subscribedAt;
    }

    /// <summary>When the newest snapshot or batch of changes arrived.</summary>
    public DateTimeOffset LastUpdateAt { get; private set; }

    public void Updated(DateTimeOffset at)
    {
        if (at > LastUpdateAt)
        {
            LastUpdateAt = at;
        }
    }

    /// <summary>How long <paramref name="keystores"/> may stay silent before the display is stale.</summary>
    public TimeSpan Threshold(IEnumerable<KeystoreHealth> keystores)
    {
        ArgumentNullException.ThrowIfNull(keystores);
        var longest = keystores.Select(k => k.Thresholds.ProbeInterval ?? _defaultProbeInterval).DefaultIfEmpty(_defaultProbeInterval).Max();
        var threshold = longest * Factor;
        return threshold > Minimum ? threshold : Minimum;
    }

    /// <summary>
    /// <see cref="LastUpdateAt"/> when the silence up to <paramref name="now"/> is longer than the threshold, else null.
    /// Never stale without keystores: then there is nothing that should be updating.
    /// </summary>
    public DateTimeOffset? StaleSince(DateTimeOffset now, IReadOnlyCollection<KeystoreHealth> keystores)
    {
        ArgumentNullException.ThrowIfNull(keystores);
        return keystores.Count > 0 && now - LastUpdateAt > Threshold(keystores) ? LastUpdateAt : null;
    }
}
