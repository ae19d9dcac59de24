using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Core.Plugins;
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
        Assert.Same(provider.GetServices<IKeystorePlugin>().Single(), provider.GetServices<IKeystorePlugin>().Single());
        Assert.Same(provider.GetRequiredService<OpenBaoHandlerPool>(), provider.GetRequiredService<OpenBaoHandlerPool>());
    }

    [Fact]
    public async Task AddKeystoreProviders_TimeProviderRegisteredFirst_IsKept()
    {
        var time = new ManualTimeProvider();
        await using var provider = new ServiceCollection().AddSingleton<TimeProvider>(time).AddKeystoreProviders().BuildServiceProvider();

        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
    }
}
