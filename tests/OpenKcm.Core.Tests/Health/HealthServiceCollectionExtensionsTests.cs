using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenKcm.Core;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Operations;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.Operations;

namespace OpenKcm.Core.Tests.Health;

public sealed class HealthServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddKeystoreHealth_WithHostServices_ResolvesOneMonitorForAllRoles()
    {
        await using var provider = CreateServices(o => o.ProbeInterval = TimeSpan.FromSeconds(3))
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var monitor = provider.GetRequiredService<KeystoreHealthMonitor>();

        Assert.Same(monitor, provider.GetRequiredService<IKeystoreHealthRecorder>());
        Assert.Same(monitor, Assert.Single(provider.GetServices<IHostedService>()));
        Assert.NotNull(provider.GetRequiredService<KeyOperationRouter>());
        var coordinator = provider.GetRequiredService<FailoverCoordinator>();
        Assert.Same(coordinator, provider.GetRequiredService<IKeystoreFailoverState>());
        Assert.Same(coordinator, Assert.Single(provider.GetServices<IKeystoreHealthListener>()));
        Assert.Same(provider.GetRequiredService<HealthFeed>(), provider.GetRequiredService<HealthFeed>());
        Assert.Equal(TimeSpan.FromSeconds(3), provider.GetRequiredService<IOptions<HealthOptions>>().Value.ProbeInterval);
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task AddKeystoreHealth_AfterAddOpenKcmCore_RegistersHistoryWriterAndThresholds()
    {
        var directory = TestSupport.CoreTestContext.NewDirectory();
        try
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton<IKeystorePlugin, FakeKeystorePlugin>();
            services.AddSingleton<IOperationAuditSink, RecordingAuditSink>();
            services.AddOpenKcmCore(o => o.DataDirectory = directory);
            services.AddKeystoreHealth();
            services.AddKeystoreHealth();
            await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

            var hosted = provider.GetServices<IHostedService>().Select(h => h.GetType()).ToList();

            Assert.Same(provider.GetRequiredService<HealthHistoryStore>(), provider.GetRequiredService<IHealthHistory>());
            Assert.Single(hosted, t => t == typeof(HealthHistoryWriter));
            Assert.True(hosted.IndexOf(typeof(KeystoreHealthMonitor)) < hosted.IndexOf(typeof(HealthHistoryWriter)));
            Assert.NotNull(provider.GetRequiredService<KeystoreThresholdService>());
            Assert.NotNull(provider.GetRequiredService<KeystoreMetrics>());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task AddKeystoreHealth_ShortProbeIntervalAlone_DegradedIntervalFollowsIt()
    {
        await using var provider = CreateServices(o => o.ProbeInterval = TimeSpan.FromSeconds(1)).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<HealthOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(1), options.DegradedProbeInterval);
    }

    [Theory]
    [InlineData(nameof(HealthOptions.DegradedProbeInterval))]
    [InlineData(nameof(HealthOptions.HistoryMinuteRetention))]
    [InlineData(nameof(HealthOptions.HistoryMaxPendingBuckets))]
    public async Task AddKeystoreHealth_InvalidNewOptions_FailValidation(string option)
    {
        await using var provider = CreateServices(o =>
        {
            switch (option)
            {
                case nameof(HealthOptions.DegradedProbeInterval): o.DegradedProbeInterval = TimeSpan.FromSeconds(11); break;
                case nameof(HealthOptions.HistoryMinuteRetention): o.HistoryMinuteRetention = TimeSpan.FromHours(1); break;
                default: o.HistoryMaxPendingBuckets = 0; break;
            }
        }).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<HealthOptions>>().Value);

        Assert.Contains(option, error.Message);
    }

    [Fact]
    public async Task AddKeystoreHealth_MonitorPublishesTheCoordinatorsRouting()
    {
        await using var provider = CreateServices(_ => { }).BuildServiceProvider();
        var backup = TestKeystores.Create("backup");
        var primary = FailoverHarness.WithBackup(TestKeystores.Create("primary"), backup.Id);
        provider.GetRequiredService<FailoverCoordinator>().UpdateActive([primary, backup]);

        provider.GetRequiredService<IKeystoreHealthRecorder>().Record(
            primary, HealthObservation.Success(HealthObservationSource.Operation, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(1)));

        var failover = provider.GetRequiredService<HealthFeed>().Find(primary.Id)?.Failover;
        Assert.NotNull(failover);
        Assert.Equal(backup.Id, failover.BackupKeystoreId);
        Assert.False(failover.FailedOver);
    }

    [Fact]
    public async Task AddKeystoreHealth_InvalidOptions_FailsValidation()
    {
        await using var provider = CreateServices(o => o.ProbeInterval = TimeSpan.Zero).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<HealthOptions>>().Value);

        Assert.Contains(nameof(HealthOptions.ProbeInterval), error.Message);
    }

    private static ServiceCollection CreateServices(Action<HealthOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<IKeystoreCatalog, FakeKeystoreCatalog>();
        services.AddSingleton(new PluginRegistry([new FakeKeystorePlugin()]));
        services.AddSingleton<IOperationAuditSink, RecordingAuditSink>();

        // Never written in these tests: the failover coordinator only needs one to exist.
        services.AddSingleton(new OpenKcm.Core.Audit.AuditLog(
            new TestSupport.SqliteContextFactory("Data Source=:memory:"), TimeProvider.System, NullLogger<OpenKcm.Core.Audit.AuditLog>.Instance));
        services.AddKeystoreHealth(configure);
        services.AddKeystoreHealth(); // idempotent
        return services;
    }
}
