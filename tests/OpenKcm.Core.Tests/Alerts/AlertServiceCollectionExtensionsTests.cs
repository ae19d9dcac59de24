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
        Assert.Contains(hosted, h => h is AlertRetentionSweeper);
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

    [Theory]
    [InlineData("23:59:59", "06:00:00", "Retention")]
    [InlineData("-1.00:00:00", "06:00:00", "Retention")]
    [InlineData("36501.00:00:00", "06:00:00", "Retention")]
    [InlineData("90.00:00:00", "00:00:00", "RetentionSweepInterval")]
    [InlineData("90.00:00:00", "7.00:00:01", "RetentionSweepInterval")]
    public async Task AddAlerts_RetentionOutOfRange_RefusedOnValidation(string retention, string interval, string named)
    {
        await using var provider = Build(o =>
        {
            o.Retention = TimeSpan.Parse(retention, System.Globalization.CultureInfo.InvariantCulture);
            o.RetentionSweepInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture);
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AlertOptions>>().Value);

        Assert.Contains($"{named} must", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAlerts_RetentionDefaultsAndOneDay_Accepted()
    {
        await using var provider = Build(o => o.Retention = TimeSpan.FromDays(1));

        var options = provider.GetRequiredService<IOptions<AlertOptions>>().Value;

        Assert.Equal(TimeSpan.FromDays(1), options.Retention);
        Assert.Equal(TimeSpan.FromHours(6), options.RetentionSweepInterval);
        Assert.Equal(TimeSpan.FromDays(90), new AlertOptions().Retention);
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
