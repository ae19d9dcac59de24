namespace OpenKcm.Core.Health;

/// <summary>
/// Stored health history of keystores (downsampled buckets that survive a restart), for latency charts over a chosen
/// time range. Thread-safe.
/// </summary>
public interface IHealthHistory
{
    /// <summary>
    /// The buckets of <paramref name="keystoreId"/> that overlap [<paramref name="from"/>, <paramref name="to"/>),
    /// oldest first, at the finest resolution still kept for that range; empty when there is none.
    /// </summary>
    Task<IReadOnlyList<HealthSample>> QueryAsync(Guid keystoreId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}
