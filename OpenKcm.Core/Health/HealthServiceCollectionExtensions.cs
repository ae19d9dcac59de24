using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Data;
using OpenKcm.Core.Operations;

namespace OpenKcm.Core.Health;

public static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// Registers the live health pipeline and key-operation routing: <see cref="HealthFeed"/>,
    /// <see cref="KeystoreHealthMonitor"/> (singleton, hosted service and <see cref="IKeystoreHealthRecorder"/>),
    /// <see cref="KeystoreConnectionManager"/> and <see cref="KeyOperationRouter"/> (singletons), <see cref="KeystoreMetrics"/>,
    /// and, when Core's database is registered (<see cref="DependencyInjection.AddOpenKcmCore"/> called before), the
    /// history: <see cref="HealthHistoryStore"/> (also <see cref="IHealthHistory"/>) and <see cref="HealthHistoryWriter"/>
    /// (singleton and hosted service, started after the monitor),
    /// <see cref="FailoverCoordinator"/> (singleton, also as <see cref="IKeystoreFailoverState"/> and as an
    /// <see cref="IKeystoreHealthListener"/>; it needs the <see cref="Audit.AuditLog"/>),
    /// <see cref="HealthOptions"/> and <see cref="KeyOperationOptions"/> (validated on start), and
    /// <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is already registered.
    /// </summary>
    /// <remarks>
    /// The host must also register <see cref="Plugins.PluginRegistry"/>, <see cref="Keystores.IKeystoreCatalog"/>,
    /// logging, and an <see cref="IOperationAuditSink"/> (the console adapts the audit log; Core deliberately
    /// provides no default so key operations cannot run unaudited). Idempotent.
    /// </remarks>
    public static IServiceCollection AddKeystoreHealth(this IServiceCollection services, Action<HealthOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var health = services.AddOptions<HealthOptions>();
        if (configure is not null)
        {
            health.Configure(configure);
        }

        // A probe interval shorter than the default degraded one (e.g. 1 s in tests) needs no second setting.
        services.PostConfigure<HealthOptions>(o =>
        {
            if (o.DegradedProbeInterval == HealthOptions.DefaultDegradedProbeInterval && o.ProbeInterval > TimeSpan.Zero
                && o.ProbeInterval < o.DegradedProbeInterval)
            {
                o.DegradedProbeInterval = o.ProbeInterval;
            }
        });

        health
            .Validate(o => o.ProbeInterval > TimeSpan.Zero, $"{nameof(HealthOptions.ProbeInterval)} must be positive.")
            .Validate(o => o.CatalogRefreshInterval > TimeSpan.Zero, $"{nameof(HealthOptions.CatalogRefreshInterval)} must be positive.")
            .Validate(o => o.LatencyWindow > TimeSpan.Zero, $"{nameof(HealthOptions.LatencyWindow)} must be positive.")
            .Validate(o => o.MaxLatencySamples > 0, $"{nameof(HealthOptions.MaxLatencySamples)} must be positive.")
            .Validate(o => o.FeedBatchInterval >= TimeSpan.Zero, $"{nameof(HealthOptions.FeedBatchInterval)} must not be negative.")
            .Validate(o => o.DegradedProbeInterval > TimeSpan.Zero && o.DegradedProbeInterval <= o.ProbeInterval, $"{nameof(HealthOptions.DegradedProbeInterval)} must be positive and at most {nameof(HealthOptions.ProbeInterval)}.")
            .Validate(o => o.HistoryFlushInterval > TimeSpan.Zero, $"{nameof(HealthOptions.HistoryFlushInterval)} must be positive.")
            .Validate(o => o.HistoryMinuteRetention >= TimeSpan.FromHours(24), $"{nameof(HealthOptions.HistoryMinuteRetention)} must be at least 24 h.")
            .Validate(o => o.HistoryHourRetention >= o.HistoryMinuteRetention, $"{nameof(HealthOptions.HistoryHourRetention)} must be at least {nameof(HealthOptions.HistoryMinuteRetention)}.")
            .Validate(o => o.HistoryMaintenanceInterval > TimeSpan.Zero, $"{nameof(HealthOptions.HistoryMaintenanceInterval)} must be positive.")
            .Validate(o => o.HistoryMaxPendingBuckets > 0, $"{nameof(HealthOptions.HistoryMaxPendingBuckets)} must be positive.")
            .ValidateOnStart();

        services.AddOptions<KeyOperationOptions>()
            .Validate(o => o.MaxRetryAttempts >= 0, $"{nameof(KeyOperationOptions.MaxRetryAttempts)} must not be negative.")
            .Validate(o => o.RetryBaseDelay >= TimeSpan.Zero && o.RetryBaseDelay <= TimeSpan.FromDays(1), $"{nameof(KeyOperationOptions.RetryBaseDelay)} must be between 0 and 1 day.")
            .Validate(o => o.MaxRetryDelay > TimeSpan.Zero && o.MaxRetryDelay <= TimeSpan.FromDays(1), $"{nameof(KeyOperationOptions.MaxRetryDelay)} must be between 0 (excluded) and 1 day.")
            .Validate(o => o.ConnectTimeout > TimeSpan.Zero, $"{nameof(KeyOperationOptions.ConnectTimeout)} must be positive.")
            .ValidateOnStart();

        services.AddOptions<FailoverOptions>()
            .Validate(o => o.FailoverAfterOperationFailures >= 1, $"{nameof(FailoverOptions.FailoverAfterOperationFailures)} must be at least 1.")
            .Validate(o => o.OperationFailureWindow > TimeSpan.Zero, $"{nameof(FailoverOptions.OperationFailureWindow)} must be positive.")
            .Validate(o => o.MinimumDwell >= TimeSpan.Zero, $"{nameof(FailoverOptions.MinimumDwell)} must not be negative.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HealthFeed>();
        services.TryAddSingleton<KeystoreConnectionManager>();
        services.TryAddSingleton<KeystoreMetrics>();
        services.TryAddSingleton<KeystoreHealthMonitor>();
        services.TryAddSingleton<IKeystoreHealthRecorder>(sp => sp.GetRequiredService<KeystoreHealthMonitor>());
        services.AddHostedService(sp => sp.GetRequiredService<KeystoreHealthMonitor>());

        // History needs Core's database: only when AddOpenKcmCore ran first (as the console does).
        if (services.Any(d => d.ServiceType == typeof(IDbContextFactory<OpenKcmDbContext>)) &&
            !services.Any(d => d.ServiceType == typeof(HealthHistoryStore)))
        {
            services.AddSingleton(sp => new HealthHistoryStore(
                sp.GetRequiredService<IDbContextFactory<OpenKcmDbContext>>(), sp.GetRequiredService<IOptions<HealthOptions>>()));
            services.AddSingleton<IHealthHistory>(sp => sp.GetRequiredService<HealthHistoryStore>());
            services.AddSingleton<HealthHistoryWriter>();
            services.AddHostedService(sp => sp.GetRequiredService<HealthHistoryWriter>());
            services.AddSingleton<IComponentReadiness>(sp => sp.GetRequiredService<HealthHistoryWriter>());
        }

        services.TryAddSingleton<FailoverCoordinator>();
        services.TryAddSingleton<IKeystoreFailoverState>(sp => sp.GetRequiredService<FailoverCoordinator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IKeystoreHealthListener, FailoverCoordinator>(
            sp => sp.GetRequiredService<FailoverCoordinator>()));
        services.TryAddSingleton<KeyOperationRouter>();
        return services;
    }
}
