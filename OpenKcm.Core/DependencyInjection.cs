using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tenants;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core;

/// <summary>Registers Core's services (clean-architecture style: one entry point per project).</summary>
public static class DependencyInjection
{
    /// <summary>
    /// Registers the database (a context factory: Blazor Server needs short-lived contexts), the credential vault and
    /// its KEK provider, the audit log (singleton and hosted service: drained on shutdown), tenants, keystores (also as
    /// <see cref="IKeystoreCatalog"/>), the <see cref="PluginRegistry"/> (plugins are registered by Providers as
    /// <see cref="IKeystorePlugin"/>), <see cref="TimeProvider.System"/> unless a TimeProvider is registered, and
    /// <see cref="DatabaseInitializer"/> as a hosted service. Call it before adding hosted services that read the
    /// database: hosted services start in registration order and the initializer applies the migrations.
    /// </summary>
    public static IServiceCollection AddOpenKcmCore(this IServiceCollection services, Action<OpenKcmCoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<OpenKcmCoreOptions>().Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.AddDbContextFactory<OpenKcmDbContext>((sp, options) =>
            options.UseSqlite(sp.GetRequiredService<IOptions<OpenKcmCoreOptions>>().Value.GetConnectionString()));

        services.TryAddSingleton<IKeyEncryptionKeyProvider, KeyEncryptionKeyProvider>();
        services.TryAddSingleton<PluginRegistry>();
        services.AddSingleton(sp => new AuditLog(
            sp.GetRequiredService<IDbContextFactory<OpenKcmDbContext>>(),
            sp.GetRequiredService<TimeProvider>(),
            Logger<AuditLog>(sp)));
        services.AddSingleton(sp => new CredentialVault(
            sp.GetRequiredService<IDbContextFactory<OpenKcmDbContext>>(),
            sp.GetRequiredService<IKeyEncryptionKeyProvider>(),
            sp.GetRequiredService<AuditLog>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new TenantService(
            sp.GetRequiredService<IDbContextFactory<OpenKcmDbContext>>(),
            sp.GetRequiredService<AuditLog>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new KeystoreService(
            sp.GetRequiredService<IDbContextFactory<OpenKcmDbContext>>(),
            sp.GetRequiredService<CredentialVault>(),
            sp.GetRequiredService<AuditLog>(),
            sp.GetRequiredService<PluginRegistry>(),
            sp.GetRequiredService<TimeProvider>(),
            Logger<KeystoreService>(sp)));
        services.AddSingleton<IKeystoreCatalog>(sp => sp.GetRequiredService<KeystoreService>());
        services.AddSingleton(sp => new Health.KeystoreThresholdService(
            sp.GetRequiredService<IDbContextFactory<OpenKcmDbContext>>(),
            sp.GetRequiredService<AuditLog>(),
            sp.GetRequiredService<PluginRegistry>(),
            sp.GetRequiredService<KeystoreService>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<Health.HealthOptions>>()));
        services.AddSingleton(sp => new DatabaseInitializer(
            sp.GetRequiredService<IDbContextFactory<OpenKcmDbContext>>(),
            sp.GetRequiredService<IOptions<OpenKcmCoreOptions>>().Value.GetDataDirectory(),
            sp.GetRequiredService<IKeyEncryptionKeyProvider>(),
            sp.GetRequiredService<CredentialVault>(),
            sp.GetRequiredService<TenantService>(),
            Logger<DatabaseInitializer>(sp)));

        // Initializer first: the audit log and everything after it find a migrated database.
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseInitializer>());
        services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
        return services;
    }

    private static ILogger<T> Logger<T>(IServiceProvider sp) => sp.GetService<ILogger<T>>() ?? NullLogger<T>.Instance;
}
