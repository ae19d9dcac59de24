using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Alerts;

public static class AlertServiceCollectionExtensions
{
    /// <summary>
    /// Registers the alert centre (singleton, hosted service and <see cref="IKeystoreHealthListener"/>), the webhook
    /// dispatcher (singleton, hosted), <see cref="WebhookService"/>, the <see cref="ExpiryScanner"/> and the
    /// <see cref="AlertRetentionSweeper"/> (singletons, hosted), with
    /// <see cref="AlertOptions"/> validated on start. The alert centre subscribes to
    /// <see cref="IKeystoreFailoverState.Switched"/> when an <see cref="IKeystoreFailoverState"/> is registered.
    /// </summary>
    /// <remarks>Needs <see cref="DependencyInjection.AddOpenKcmCore"/> (database, vault, audit, catalog, plugins). Call it
    /// after <see cref="HealthServiceCollectionExtensions.AddKeystoreHealth"/> so the writer starts after the
    /// database initializer. Idempotent.</remarks>
    public static IServiceCollection AddAlerts(this IServiceCollection services, Action<AlertOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(AlertCentre)))
        {
            return services;
        }

        var options = services.AddOptions<AlertOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(o => o.CoalesceWindow >= TimeSpan.Zero, $"{nameof(AlertOptions.CoalesceWindow)} must not be negative.")
            .Validate(o => o.ExpiryScanInterval > TimeSpan.Zero, $"{nameof(AlertOptions.ExpiryScanInterval)} must be positive.")
            .Validate(o => o.ExpiryThresholds is null || o.ExpiryThresholds.All(t => t > TimeSpan.Zero), $"{nameof(AlertOptions.ExpiryThresholds)} must be positive.")
            .Validate(o => o.WebhookRequestTimeout > TimeSpan.Zero && o.WebhookRequestTimeout <= TimeSpan.FromMinutes(5), $"{nameof(AlertOptions.WebhookRequestTimeout)} must be between 0 (excluded) and 5 min.")
            .Validate(o => o.WebhookMaxAttempts is >= 1 and <= 50, $"{nameof(AlertOptions.WebhookMaxAttempts)} must be 1..50.")
            .Validate(o => o.WebhookRetryBaseDelay > TimeSpan.Zero && o.WebhookRetryBaseDelay <= o.WebhookMaxRetryDelay, $"{nameof(AlertOptions.WebhookRetryBaseDelay)} must be positive and at most {nameof(AlertOptions.WebhookMaxRetryDelay)}.")
            .Validate(o => o.WebhookMaxRetryDelay <= TimeSpan.FromDays(1), $"{nameof(AlertOptions.WebhookMaxRetryDelay)} must be at most 1 day.")
            .Validate(o => o.WebhookMaxParallelPerWebhook is >= 1 and <= 64, $"{nameof(AlertOptions.WebhookMaxParallelPerWebhook)} must be 1..64.")
            .Validate(o => o.WebhookPollInterval > TimeSpan.Zero, $"{nameof(AlertOptions.WebhookPollInterval)} must be positive.")
            .Validate(o => o.Retention >= TimeSpan.FromDays(1) && o.Retention <= AlertOptions.MaxRetention, $"{nameof(AlertOptions.Retention)} must be between 1 day and 36500 days.")
            .Validate(o => o.RetentionSweepInterval > TimeSpan.Zero && o.RetentionSweepInterval <= TimeSpan.FromDays(7), $"{nameof(AlertOptions.RetentionSweepInterval)} must be positive and at most 7 days.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new WebhookDispatcher(
            sp.GetRequiredService<IDbContextFactory<OpenKcmDbContext>>(),
            sp.GetRequiredService<CredentialVault>(),
            sp.GetRequiredService<AuditLog>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<AlertOptions>>().Value,
            Logger<WebhookDispatcher>(sp),
            () => sp.GetRequiredService<AlertCentre>().RaiseChanged()));
        services.AddSingleton(sp => new AlertCentre(
            sp.GetRequiredService<IDbContextFactory<OpenKcmDbContext>>(),
            sp.GetRequiredService<AuditLog>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<AlertOptions>>().Value,
            Logger<AlertCentre>(sp),
            () => sp.GetRequiredService<WebhookDispatcher>().Wake(),
            sp.GetService<IKeystoreFailoverState>()));
        services.AddSingleton<IKeystoreHealthListener>(sp => sp.GetRequiredService<AlertCentre>());
        services.AddSingleton(sp => new WebhookService(
            sp.GetRequiredService<IDbContextFactory<OpenKcmDbContext>>(),
            sp.GetRequiredService<CredentialVault>(),
            sp.GetRequiredService<AuditLog>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<AlertOptions>>().Value,
            () => sp.GetRequiredService<WebhookDispatcher>().Wake()));
        services.AddSingleton(sp => new ExpiryScanner(
            sp.GetRequiredService<IKeystoreCatalog>(),
            sp.GetRequiredService<PluginRegistry>(),
            sp.GetRequiredService<AlertCentre>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<AlertOptions>>().Value,
            Logger<ExpiryScanner>(sp)));
        services.AddSingleton(sp => new AlertRetentionSweeper(
            sp.GetRequiredService<IDbContextFactory<OpenKcmDbContext>>(),
            sp.GetRequiredService<AuditLog>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<AlertOptions>>().Value,
            Logger<AlertRetentionSweeper>(sp),
            () => sp.GetRequiredService<AlertCentre>().RaiseChanged()));
        services.AddHostedService(sp => sp.GetRequiredService<AlertCentre>());
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<ExpiryScanner>());
        services.AddHostedService(sp => sp.GetRequiredService<AlertRetentionSweeper>());
        return services;
    }

    private static ILogger<T> Logger<T>(IServiceProvider sp) => sp.GetService<ILogger<T>>() ?? NullLogger<T>.Instance;
}
