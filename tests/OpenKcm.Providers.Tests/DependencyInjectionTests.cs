using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.AwsKms;
using OpenKcm.Providers.OpenBao;

namespace OpenKcm.Providers.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task AddKeystoreProviders_Always_RegistersTheOpenBaoPluginAsASingleton()
    {
        await using var provider = new ServiceCollection().AddLogging().AddKeystoreProviders().BuildServiceProvider();

        var registry = new PluginRegistry(provider.GetServices<IKeystorePlugin>());

        Assert.IsType<OpenBaoPlugin>(registry.Get("openbao"));
        Assert.Same(registry.Get("openbao"), new PluginRegistry(provider.GetServices<IKeystorePlugin>()).Get("openbao"));
        Assert.Same(provider.GetRequiredService<OpenBaoHandlerPool>(), provider.GetRequiredService<OpenBaoHandlerPool>());
    }

    [Fact]
    public async Task AddKeystoreProviders_Always_RegistersTheAwsKmsPluginWithOnePooledHandler()
    {
        await using var provider = new ServiceCollection().AddLogging()
            .AddKeystoreProviders()
            .PostConfigure<AwsKmsOptions>(o => o.RequestTimeout = TimeSpan.FromSeconds(3))
            .BuildServiceProvider();

        var registry = new PluginRegistry(provider.GetServices<IKeystorePlugin>());

        Assert.IsType<AwsKmsPlugin>(registry.Get("aws_kms"));
        Assert.Same(registry.Get("aws_kms"), new PluginRegistry(provider.GetServices<IKeystorePlugin>()).Get("aws_kms"));
        Assert.Same(provider.GetRequiredService<AwsHttpHandlerPool>(), provider.GetRequiredService<AwsHttpHandlerPool>());
        Assert.Equal(TimeSpan.FromSeconds(3), provider.GetRequiredService<AwsKmsOptions>().RequestTimeout);
    }

    [Fact]
    public async Task AddKeystoreProviders_TimeProviderRegisteredFirst_IsKept()
    {
        var time = new ManualTimeProvider();
        await using var provider = new ServiceCollection().AddSingleton<TimeProvider>(time).AddKeystoreProviders().BuildServiceProvider();

        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task AddKeystoreProviders_NothingConfigured_AllowsOnlyEtcOpenKcmForSecretIdFiles()
    {
        await using var provider = new ServiceCollection().AddKeystoreProviders().BuildServiceProvider();

        Assert.Equal(["/etc/openkcm"], provider.GetRequiredService<OpenBaoOptions>().SecretIdDirectories);
    }

    [Fact]
    public async Task AddKeystoreProviders_SecretIdDirectoriesInConfiguration_AreAddedToTheDefault()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OpenKcm:OpenBao:SecretIdDirectories:0"] = "/run/secrets/openkcm" })
            .Build();

        await using var provider = new ServiceCollection()
            .AddKeystoreProviders(o => configuration.GetSection(OpenBaoOptions.Section).Bind(o))
            .BuildServiceProvider();

        Assert.Equal(["/etc/openkcm", "/run/secrets/openkcm"], provider.GetRequiredService<OpenBaoOptions>().SecretIdDirectories);
    }

    [Fact]
    public async Task AddKeystoreProviders_PostConfigure_AddsADirectoryThePluginAllows()
    {
        await using var provider = new ServiceCollection().AddLogging()
            .AddKeystoreProviders()
            .PostConfigure<OpenBaoOptions>(o => o.SecretIdDirectories.Add("/var/lib/openkcm/sandbox"))
            .BuildServiceProvider();

        var plugin = provider.GetServices<IKeystorePlugin>().OfType<OpenBaoPlugin>().Single();

        Assert.Equal(["/etc/openkcm", "/var/lib/openkcm/sandbox"], plugin.SecretIdLocations.Directories.ToArray());
    }

    [Fact]
    public async Task AddKeystoreProviders_RelativeSecretIdDirectory_FailsOptionsValidation()
    {
        await using var provider = new ServiceCollection()
            .AddKeystoreProviders(o => o.SecretIdDirectories.Add("secrets"))
            .BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<OpenBaoOptions>());

        Assert.Contains(OpenBaoOptions.SecretIdDirectoriesKey, ex.Message);
    }
}
