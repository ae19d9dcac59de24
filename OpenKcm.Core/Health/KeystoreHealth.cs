using OpenKcm.Core.Operations;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Health;

/// <summary>
/// An immutable view of one active keystore's health, as published by the feed. Value equality: two instances with
/// the same values are equal, which the feed uses to drop no-op updates.
/// </summary>
public sealed record KeystoreHealth
{
    public required Guid KeystoreId { get; init; }

    public required Guid TenantId { get; init; }

    public required string TenantName { get; init; }

    /// <summary>The seed's <c>plugin_name</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The seed's <c>plugin_type</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The active configuration version being probed.</summary>
    public required int Version { get; init; }

    public required KeystoreHealthStatus Status { get; init; }

    /// <summary>The thresholds the status was judged against.</summary>
    public required HealthThresholds Thresholds { get; init; }

    /// <summary>Latency of the most recent probe or operation (successful or not); null before the first.</summary>
    public required TimeSpan? LastLatency { get; init; }

    /// <summary>Mean latency of successful results inside <see cref="HealthOptions.LatencyWindow"/>; null if none.</summary>
    public required TimeSpan? AverageLatency { get; init; }

    /// <summary>95th percentile of the same samples as <see cref="AverageLatency"/>; null if none.</summary>
    public required TimeSpan? P95Latency { get; init; }

    /// <summary>99th percentile of the same samples as <see cref="AverageLatency"/>; null if none.</summary>
    public TimeSpan? P99Latency { get; init; }

    /// <summary>The 1-minute, 1-hour and 24-hour windows (operations per hour, success and error rate, latencies).</summary>
    public HealthWindows Windows { get; init; } = HealthWindows.Empty;

    /// <summary>Successful results (probes and operations) since the last failure.</summary>
    public int ConsecutiveSuccesses { get; init; }

    /// <summary>When the newest result (probe or operation) finished; null before the first.</summary>
    public DateTimeOffset? LastResultAt { get; init; }

    /// <summary>The failover routing when this keystore names a backup; null when it names none.</summary>
    public KeystoreFailoverState? Failover { get; init; }

    /// <summary>When the last deep probe finished; null before the first.</summary>
    public required DateTimeOffset? LastProbeAt { get; init; }

    /// <summary>The most recent failure, kept after recovery so the dashboard can say what happened last.</summary>
    public required KeystoreHealthError? LastError { get; init; }

    /// <summary>Failed results (probes and operations) since the last success.</summary>
    public required int ConsecutiveFailures { get; init; }

    /// <summary>Successful probes and operations since monitoring of this keystore began (process lifetime).</summary>
    public required long SuccessCount { get; init; }

    /// <summary>Failed probes and operations since monitoring of this keystore began (process lifetime).</summary>
    public required long FailureCount { get; init; }

    /// <summary>Key operations (wrap/unwrap attempts) routed to this keystore, successful or not; probes excluded.</summary>
    public required long OperationCount { get; init; }
}
