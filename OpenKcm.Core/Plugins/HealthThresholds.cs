namespace OpenKcm.Core.Plugins;

/// <summary>
/// How probe and key-operation results turn into a status, and how often a keystore is probed. Each plugin gives
/// per-type defaults (<see cref="PluginDescriptor.DefaultThresholds"/>); an administrator may override them per keystore.
/// </summary>
public sealed record HealthThresholds
{
    /// <summary>Average latency (1-minute window) above this is Warning.</summary>
    public required TimeSpan WarningLatency { get; init; }

    /// <summary>
    /// Average latency (1-minute window) above this is Critical even when results succeed; null: latency alone never
    /// makes a keystore Critical. Must be above <see cref="WarningLatency"/> when set.
    /// </summary>
    public TimeSpan? CriticalLatency { get; init; }

    /// <summary>This many consecutive failed results (probes or key operations) make the keystore Critical.</summary>
    public int CriticalAfterConsecutiveFailures { get; init; } = 3;

    /// <summary>A probe that takes longer than this fails with a timeout.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time between two deep probes while Healthy or Unknown; null: the console's default (10 s).</summary>
    public TimeSpan? ProbeInterval { get; init; }

    /// <summary>Time between two deep probes while Warning or Critical; null: the console's default (2 s).</summary>
    public TimeSpan? DegradedProbeInterval { get; init; }

    /// <summary>
    /// After a failover, this many consecutive successful probes of the primary (while it is Healthy) fail key
    /// operations back to it.
    /// </summary>
    public int FailbackAfterHealthyProbes { get; init; } = 3;
}
