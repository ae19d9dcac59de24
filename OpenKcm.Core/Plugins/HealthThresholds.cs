namespace OpenKcm.Core.Plugins;

/// <summary>Per-type defaults for turning probe results into a status; editable per keystore later.</summary>
public sealed record HealthThresholds
{
    /// <summary>Average latency above this is Warning.</summary>
    public required TimeSpan WarningLatency { get; init; }

    /// <summary>This many consecutive failed probes make the keystore Critical.</summary>
    public int CriticalAfterConsecutiveFailures { get; init; } = 3;

    /// <summary>A probe that takes longer than this fails with a timeout.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
