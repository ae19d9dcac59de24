using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.AwsKms;
using OpenKcm.Providers.OpenBao;
using OpenKcm.Providers.ThalesLuna;

namespace OpenKcm.Providers;

/// <summary>Registers the keystore plugins of this project.</summary>
public static class DependencyInjection
{
    /// <summary>
    /// Adds every keystore plugin as an <see cref="IKeystorePlugin"/> singleton (found through
    /// <see cref="PluginRegistry"/>), with what they share: the OpenBao and AWS handler pools and options, and
    /// <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is already registered.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configureOpenBao">
    /// Configures <see cref="OpenBaoOptions"/> through the options pattern (the console binds
    /// <see cref="OpenBaoOptions.Section"/>; <c>PostConfigure&lt;OpenBaoOptions&gt;</c> works as well). The options are
    /// validated when the host starts. An <see cref="OpenBaoOptions"/> instance registered before this call is used
    /// as it is instead.
    /// </param>
    public static IServiceCollection AddKeystoreProviders(this IServiceCollection services, Action<OpenBaoOptions>? configureOpenBao = null)
    {
        services.TryAddSingleton(TimeProvider.System);

        var openBao = services.AddOptions<OpenBaoOptions>()
            .Validate(o => o.SecretIdDirectories.All(d => SecretIdLocations.DirectoryError(d) is null),
                $"{OpenBaoOptions.SecretIdDirectoriesKey} may list only absolute directories, and not the root directory.")
            .ValidateOnStart();
        if (configureOpenBao is not null)
        {
            openBao.Configure(configureOpenBao);
        }

        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<OpenBaoOptions>>().Value);
        services.TryAddSingleton<OpenBaoHandlerPool>();
        services.AddSingleton<IKeystorePlugin, OpenBaoPlugin>();
        services.TryAddSingleton(new ThalesLunaOptions());
        services.AddSingleton<IKeystorePlugin, ThalesLunaPlugin>();

        // AWS KMS: options (bindable from OpenKcm:AwsKms; an instance registered earlier wins) and one pooled handler.
        services.AddOptions<AwsKmsOptions>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<AwsKmsOptions>>().Value);
        services.TryAddSingleton<AwsHttpHandlerPool>();
        services.AddSingleton<IKeystorePlugin, AwsKmsPlugin>();

        return services;
    }
}
