using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.OpenBao;

namespace OpenKcm.Providers;

/// <summary>Registers the keystore plugins of this project.</summary>
public static class DependencyInjection
{
    /// <summary>
    /// Adds every keystore plugin as an <see cref="IKeystorePlugin"/> singleton (found through
    /// <see cref="PluginRegistry"/>), with what they share: the OpenBao handler pool and options, and
    /// <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is already registered.
    /// </summary>
    public static IServiceCollection AddKeystoreProviders(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(new OpenBaoOptions());
        services.TryAddSingleton<OpenBaoHandlerPool>();
        services.AddSingleton<IKeystorePlugin, OpenBaoPlugin>();

        return services;
    }
}
