namespace OpenKcm.Core.Health;

/// <summary>A keystore's health, from its probes and key operations judged against its thresholds.</summary>
public enum KeystoreHealthStatus
{
    /// <summary>No probe or operation result yet.</summary>
    Unknown,

    /// <summary>The last result succeeded and the rolling average latency is within the threshold.</summary>
    Healthy,

    /// <summary>
    /// Degraded: the rolling average latency is above <see cref="Plugins.HealthThresholds.WarningLatency"/>, or the
    /// last results failed but fewer than <see cref="Plugins.HealthThresholds.CriticalAfterConsecutiveFailures"/> in a row.
    /// </summary>
    Warning,

    /// <summary><see cref="Plugins.HealthThresholds.CriticalAfterConsecutiveFailures"/> or more consecutive failures.</summary>
    Critical,
}
