using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.OpenBao;

namespace OpenKcm.Providers.Tests.OpenBao;

/// <summary>Settings in the seed's shape, for tests to start from and vary.</summary>
internal static class OpenBaoTestSettings
{
    public static readonly IReadOnlySet<string> SecretIdStored = new HashSet<string> { OpenBaoFieldNames.SecretId };

    public static readonly IReadOnlySet<string> NoSecrets = new HashSet<string>();

    public static KeystoreSettings Seed(string address = "https://openbao.company.internal:8200") =>
        new(ImmutableDictionary<string, string>.Empty
            .Add(OpenBaoFieldNames.VaultAddress, address)
            .Add(OpenBaoFieldNames.AuthMethod, OpenBaoFieldNames.AppRole)
            .Add(OpenBaoFieldNames.RoleId, "openkcm-role-id-12345")
            .Add(OpenBaoFieldNames.MountPath, "openkcm-keys")
            .Add(OpenBaoFieldNames.KeyName, "customer-master-key"));

    public static OpenBaoPlugin Plugin(
        TimeProvider? time = null, OpenBaoOptions? options = null, OpenBaoHandlerPool? pool = null, ILogger<OpenBaoPlugin>? logger = null)
    {
        options ??= new OpenBaoOptions();
        return new OpenBaoPlugin(pool ?? new OpenBaoHandlerPool(options), time ?? TimeProvider.System, options, logger);
    }
}
