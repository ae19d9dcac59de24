using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Infrastructure;

/// <summary>Adapts one <see cref="IComponentReadiness"/> (e.g. the health history writer) to a <c>/readyz</c> check.</summary>
internal sealed class ComponentReadinessCheck(IComponentReadiness component) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(component.NotReadyReason() is { } reason ? HealthCheckResult.Unhealthy(reason) : HealthCheckResult.Healthy());
}
