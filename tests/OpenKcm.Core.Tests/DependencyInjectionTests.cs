using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tenants;
using OpenKcm.Core.Tests.TestSupport;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Tests;

public sealed class DependencyInjectionTests : IDisposable
{
    private readonly string _directory = Path.Combine(CoreTestContext.NewDirectory(), "data");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_directory)!, recursive: true);

    [Fact]
    public async Task AddOpenKcmCore_HostedServicesStarted_DatabaseReadyWithDefaultTenant()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IKeystorePlugin, FakeKeystorePlugin>();
        services.AddOpenKcmCore(o =>
        {
            o.DataDirectory = _directory;
            o.ConnectionString = $"Data Source={Path.Combine(_directory, "openkcm.db")};Pooling=False";
        });
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        var tenants = await provider.GetRequiredService<TenantService>().ListAsync(CancellationToken.None);
        Assert.Equal([Tenant.DefaultName], tenants.Select(t => t.Name));
        Assert.Equal([typeof(DatabaseInitializer), typeof(AuditLog)], hosted.Select(h => h.GetType()));
        Assert.Same(provider.GetRequiredService<KeystoreService>(), provider.GetRequiredService<IKeystoreCatalog>());
        Assert.NotNull(provider.GetRequiredService<PluginRegistry>().Find(FakeKeystorePlugin.Kind));
        Assert.NotNull(provider.GetRequiredService<CredentialVault>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.Equal(
            Environment.GetEnvironmentVariable(KeyEncryptionKeyProvider.EnvironmentVariable) is null,
            File.Exists(Path.Combine(_directory, KeyEncryptionKeyProvider.FileName)));

        foreach (var service in Enumerable.Reverse(hosted))
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task AddOpenKcmCore_NoConnectionString_UsesOpenkcmDbInTheDataDirectory()
    {
        var services = new ServiceCollection();
        services.AddOpenKcmCore(o => o.DataDirectory = _directory);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<DatabaseInitializer>().InitializeAsync(CancellationToken.None);
        await provider.GetRequiredService<AuditLog>().StopAsync(CancellationToken.None);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        Assert.True(File.Exists(Path.Combine(_directory, "openkcm.db")));
    }
}
