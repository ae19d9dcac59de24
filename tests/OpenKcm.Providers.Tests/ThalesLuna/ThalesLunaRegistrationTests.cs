using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.ThalesLuna;

namespace OpenKcm.Providers.Tests.ThalesLuna;

public sealed class ThalesLunaRegistrationTests
{
    [Fact]
    public async Task AddKeystoreProviders_Always_RegistersTheThalesLunaPluginAsASingleton()
    {
        await using var provider = new ServiceCollection().AddLogging().AddKeystoreProviders().BuildServiceProvider();
        var registry = new PluginRegistry(provider.GetServices<IKeystorePlugin>());

        var plugin = Assert.IsType<ThalesLunaPlugin>(registry.Get(ThalesLunaPlugin.PluginKind));
        Assert.Same(plugin, provider.GetServices<IKeystorePlugin>().OfType<ThalesLunaPlugin>().Single());
    }
}
