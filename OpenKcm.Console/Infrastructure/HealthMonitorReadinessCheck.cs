using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Infrastructure;

/// <summary><c>/readyz</c> check <c>health-monitor</c>: the keystore health monitor has started and has not stopped.</summary>
internal sealed class HealthMonitorReadinessCheck(KeystoreHealthMonitor monitor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(monitor.ExecuteTask switch
        {
            null => HealthCheckResult.Unhealthy("The health monitor has not started."),
            { IsCompleted: true } => HealthCheckResult.Unhealthy("The health monitor has stopped."),
            _ => HealthCheckResult.Healthy(),
        });
}
