using OpenKcm.Core.Health;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Tests.Components.Dashboard;

/// <summary>Builds <see cref="KeystoreHealth"/> values for dashboard tests; override what the test is about with <c>with</c>.</summary>
internal static class KeystoreHealths
{
    public static readonly DateTimeOffset ProbedAt = new(2026, 11, 1, 9, 30, 15, TimeSpan.Zero);

    public static KeystoreHealth Healthy(string name, string tenant = "acme") => new()
    {
        KeystoreId = Guid.NewGuid(),
        TenantId = Guid.NewGuid(),
        TenantName = tenant,
        Name = name,
        Kind = "openbao",
        Version = 1,
        Status = KeystoreHealthStatus.Healthy,
        Thresholds = new HealthThresholds { WarningLatency = TimeSpan.FromMilliseconds(200) },
        LastLatency = TimeSpan.FromMilliseconds(12),
        AverageLatency = TimeSpan.FromMilliseconds(11.5),
        P95Latency = TimeSpan.FromMilliseconds(19),
        P99Latency = TimeSpan.FromMilliseconds(23),
        Windows = new HealthWindows
        {
            LastMinute = Window(HealthWindows.OneMinute, operations: 40, successes: 46, failures: 0, perHour: 2400, averageMs: 11.5, p95Ms: 19, p99Ms: 23),
            LastHour = Window(HealthWindows.OneHour, operations: 2450, successes: 2806, failures: 6, perHour: 2450, averageMs: 2.1, p95Ms: 4.5, p99Ms: 9),
            LastDay = Window(HealthWindows.OneDay, operations: 51000, successes: 59000, failures: 118, perHour: 2125, averageMs: 3.4, p95Ms: 6, p99Ms: 15.2),
        },
        LastResultAt = ProbedAt,
        LastProbeAt = ProbedAt,
        LastError = null,
        ConsecutiveFailures = 0,
        SuccessCount = 42,
        FailureCount = 0,
        OperationCount = 7,
    };

    public static KeystoreHealthError Error(string message, DateTimeOffset? at = null) =>
        new() { Kind = KeystoreErrorKind.Unreachable, Message = message, At = at ?? ProbedAt };

    /// <summary>A failover state naming <paramref name="backup"/> as the backup.</summary>
    public static KeystoreFailoverState BackupIs(KeystoreHealth backup, bool failedOver = false) => new()
    {
        BackupKeystoreId = backup.KeystoreId,
        BackupName = backup.Name,
        FailedOver = failedOver,
        Since = failedOver ? ProbedAt : null,
        Reason = failedOver ? "Primary critical after 3 failed probes." : null,
    };

    private static HealthWindowStats Window(
        TimeSpan window, long operations, long successes, long failures, double perHour, double averageMs, double p95Ms, double p99Ms) => new()
    {
        Window = window,
        Operations = operations,
        Probes = successes + failures - operations,
        Successes = successes,
        Failures = failures,
        OperationsPerHour = perHour,
        SuccessRate = (double)successes / (successes + failures),
        ErrorRate = (double)failures / (successes + failures),
        AverageLatency = TimeSpan.FromMilliseconds(averageMs),
        P95Latency = TimeSpan.FromMilliseconds(p95Ms),
        P99Latency = TimeSpan.FromMilliseconds(p99Ms),
    };
}
