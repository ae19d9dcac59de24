using OpenKcm.Core.Health;

namespace OpenKcm.Console.Hubs;

/// <summary>A keystore's health on the hub. Latencies in milliseconds (fractions kept); null when not measured yet.</summary>
public sealed record KeystoreHealthDto
{
    public required Guid KeystoreId { get; init; }

    public required Guid TenantId { get; init; }

    public required string TenantName { get; init; }

    /// <summary>The seed's <c>plugin_name</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The seed's <c>plugin_type</c> (<c>openbao</c>, <c>aws_kms</c>, …).</summary>
    public required string Kind { get; init; }

    public required int Version { get; init; }

    /// <summary><c>Unknown</c>, <c>Healthy</c>, <c>Warning</c> or <c>Critical</c>.</summary>
    public required string Status { get; init; }

    public double? LastLatencyMs { get; init; }

    public double? AverageLatencyMs { get; init; }

    public double? P95LatencyMs { get; init; }

    public double? P99LatencyMs { get; init; }

    public int ConsecutiveFailures { get; init; }

    public int ConsecutiveSuccesses { get; init; }

    public long SuccessCount { get; init; }

    public long FailureCount { get; init; }

    public long OperationCount { get; init; }

    public DateTimeOffset? LastProbeAt { get; init; }

    public DateTimeOffset? LastResultAt { get; init; }

    public HealthErrorDto? LastError { get; init; }

    public required HealthThresholdsDto Thresholds { get; init; }

    public required HealthWindowsDto Windows { get; init; }

    /// <summary>Null when the keystore names no backup.</summary>
    public FailoverDto? Failover { get; init; }

    public static KeystoreHealthDto From(KeystoreHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        return new()
        {
            KeystoreId = health.KeystoreId,
            TenantId = health.TenantId,
            TenantName = health.TenantName,
            Name = health.Name,
            Kind = health.Kind,
            Version = health.Version,
            Status = health.Status.ToString(),
            LastLatencyMs = Ms(health.LastLatency),
            AverageLatencyMs = Ms(health.AverageLatency),
            P95LatencyMs = Ms(health.P95Latency),
            P99LatencyMs = Ms(health.P99Latency),
            ConsecutiveFailures = health.ConsecutiveFailures,
            ConsecutiveSuccesses = health.ConsecutiveSuccesses,
            SuccessCount = health.SuccessCount,
            FailureCount = health.FailureCount,
            OperationCount = health.OperationCount,
            LastProbeAt = health.LastProbeAt,
            LastResultAt = health.LastResultAt,
            LastError = HealthErrorDto.From(health.LastError),
            Thresholds = new HealthThresholdsDto
            {
                WarningLatencyMs = health.Thresholds.WarningLatency.TotalMilliseconds,
                CriticalLatencyMs = Ms(health.Thresholds.CriticalLatency),
                CriticalAfterConsecutiveFailures = health.Thresholds.CriticalAfterConsecutiveFailures,
            },
            Windows = new HealthWindowsDto
            {
                LastMinute = HealthWindowDto.From(health.Windows.LastMinute),
                LastHour = HealthWindowDto.From(health.Windows.LastHour),
                LastDay = HealthWindowDto.From(health.Windows.LastDay),
            },
            Failover = health.Failover is { } f
                ? new FailoverDto
                {
                    BackupKeystoreId = f.BackupKeystoreId,
                    BackupName = f.BackupName,
                    FailedOver = f.FailedOver,
                    Since = f.Since,
                    Reason = f.Reason,
                    BackupAvailable = f.BackupAvailable,
                    BackupUnavailableReason = f.BackupUnavailableReason,
                }
                : null,
        };
    }

    internal static double? Ms(TimeSpan? value) => value?.TotalMilliseconds;
}
