using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Infrastructure;

/// <summary>
/// <c>/healthz</c> (liveness: the process answers; no check, no detail) and <c>/readyz</c> (readiness: database
/// reachable and migrated, health monitor running, and every registered <see cref="IComponentReadiness"/>). Both are
/// anonymous, for load balancers and orchestrators; <c>/readyz</c> answers check names and statuses only (200 when
/// all are Healthy, 503 otherwise), never a description or exception, so it leaks nothing.
/// </summary>
internal static class ProbeEndpoints
{
    public const string ReadyTag = "ready";

    public static void AddProbes(IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseReadinessCheck>("database", tags: [ReadyTag])
            .AddCheck<HealthMonitorReadinessCheck>("health-monitor", tags: [ReadyTag]);

        // Components registered as IComponentReadiness (by the time the options are built) become checks of their own.
        services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<HealthCheckServiceOptions>, ComponentChecks>();
    }

    public static void MapProbes(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = (context, report) => WriteAsync(context, report),
        }).AllowAnonymous();
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = (context, report) => WriteAsync(context, report),
        }).AllowAnonymous();
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new ProbeReport
        {
            Status = report.Status.ToString(),
            Checks = [.. report.Entries.Select(e => new ProbeCheck { Name = e.Key, Status = e.Value.Status.ToString() })],
        }, ProbeJson.Default.ProbeReport, context.RequestAborted);
    }

    /// <summary>Adds one readiness check per <see cref="IComponentReadiness"/> registration.</summary>
    private sealed class ComponentChecks(IServiceProvider services) : Microsoft.Extensions.Options.IConfigureOptions<HealthCheckServiceOptions>
    {
        public void Configure(HealthCheckServiceOptions options)
        {
            foreach (var component in services.GetServices<IComponentReadiness>())
            {
                options.Registrations.Add(new HealthCheckRegistration(
                    component.Name, _ => new ComponentReadinessCheck(component), failureStatus: null, tags: [ReadyTag]));
            }
        }
    }
}
