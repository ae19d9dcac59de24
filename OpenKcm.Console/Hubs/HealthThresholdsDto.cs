namespace OpenKcm.Console.Hubs;

/// <summary>The thresholds the status was judged against, in milliseconds.</summary>
public sealed record HealthThresholdsDto
{
    public required double WarningLatencyMs { get; init; }

    public double? CriticalLatencyMs { get; init; }

    public required int CriticalAfterConsecutiveFailures { get; init; }
}
