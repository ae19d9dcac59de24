using OpenKcm.Core.Health;

namespace OpenKcm.Console.Hubs;

/// <summary>One rolling window; rates are 0–1 (null with no result in the window).</summary>
public sealed record HealthWindowDto
{
    public required double WindowSeconds { get; init; }

    public long Operations { get; init; }

    public long Probes { get; init; }

    public long Successes { get; init; }

    public long Failures { get; init; }

    public double OperationsPerHour { get; init; }

    public double? SuccessRate { get; init; }

    public double? ErrorRate { get; init; }

    public double? AverageLatencyMs { get; init; }

    public double? P95LatencyMs { get; init; }

    public double? P99LatencyMs { get; init; }

    public HealthErrorDto? LastError { get; init; }

    public static HealthWindowDto From(HealthWindowStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        return new()
        {
            WindowSeconds = stats.Window.TotalSeconds,
            Operations = stats.Operations,
            Probes = stats.Probes,
            Successes = stats.Successes,
            Failures = stats.Failures,
            OperationsPerHour = stats.OperationsPerHour,
            SuccessRate = stats.SuccessRate,
            ErrorRate = stats.ErrorRate,
            AverageLatencyMs = KeystoreHealthDto.Ms(stats.AverageLatency),
            P95LatencyMs = KeystoreHealthDto.Ms(stats.P95Latency),
            P99LatencyMs = KeystoreHealthDto.Ms(stats.P99Latency),
            LastError = HealthErrorDto.From(stats.LastError),
        };
    }
}
