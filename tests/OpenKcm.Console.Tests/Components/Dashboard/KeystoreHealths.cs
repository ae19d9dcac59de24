using OpenKcm.Core.Health;
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
        LastProbeAt = ProbedAt,
        LastError = null,
        ConsecutiveFailures = 0,
        SuccessCount = 42,
        FailureCount = 0,
        OperationCount = 7,
    };
}
