using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenKcm.Console.Data;
using OpenKcm.Core.Data;

namespace OpenKcm.Console.Infrastructure;

/// <summary><c>/readyz</c> check <c>database</c>: reachable, and both schemas (Core's and Identity's) fully migrated.</summary>
internal sealed class DatabaseReadinessCheck(DatabaseInitializer core, IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if ((await core.GetPendingMigrationsAsync(cancellationToken)).Count > 0)
        {
            return HealthCheckResult.Unhealthy("Core schema migrations are pending.");
        }

        await using var scope = scopes.CreateAsyncScope();
        var identity = scope.ServiceProvider.GetRequiredService<ConsoleIdentityDbContext>();
        return (await identity.Database.GetPendingMigrationsAsync(cancellationToken)).Any()
            ? HealthCheckResult.Unhealthy("Identity schema migrations are pending.")
            : HealthCheckResult.Healthy();
    }
}
