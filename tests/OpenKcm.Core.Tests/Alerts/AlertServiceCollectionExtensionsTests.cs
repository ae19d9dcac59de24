using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Alerts;
using OpenKcm.Core.Health;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.TestSupport;

namespace OpenKcm.Core.Tests.Alerts;

public sealed class AlertServiceCollectionExtensionsTests : IDisposable
{
    private readonly string _directory = Path.Combine(CoreTestContext.NewDirectory(), "data");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_directory)!, recursive: true);

    [Fact]
    public async Task AddAlerts_WithCore_StartsAndListensToTheMonitor()
    {
        await using var provider = Build(_ => { });
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        Assert.Same(provider.GetRequiredService<AlertCentre>(), Assert.Single(provider.GetServices<IKeystoreHealthListener>()));
        Assert.Contains(hosted, h => h is AlertCentre);
        Assert.Contains(hosted, h => h is WebhookDispatcher);
        Assert.Contains(hosted, h => h is ExpiryScanner);
        Assert.Equal(0, (await provider.GetRequiredService<AlertCentre>().ListAsync(new AlertQuery(), CancellationToken.None)).TotalCount);

        foreach (var service in Enumerable.Reverse(hosted))
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task AddAlerts_InvalidOptions_RefusedOnValidation()
    {
        await using var provider = Build(o => o.WebhookMaxAttempts = 0);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AlertOptions>>().Value);

        Assert.Contains("WebhookMaxAttempts", error.Message, StringComparison.Ordinal);
    }

    private ServiceProvider Build(Action<AlertOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IKeystorePlugin, FakeKeystorePlugin>();
        services.AddOpenKcmCore(o =>
        {
            o.DataDirectory = _directory;
            o.ConnectionString = $"Data Source={Path.Combine(_directory, "openkcm.db")};Pooling=False";
        });
        services.AddAlerts(configure);
        services.AddAlerts();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
