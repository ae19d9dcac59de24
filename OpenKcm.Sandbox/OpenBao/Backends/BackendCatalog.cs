using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary>The plugin catalog: which types can be mounted. Each mount gets its own backend (its own state).</summary>
internal static class BackendCatalog
{
    public static IVaultBackend? CreateSecretsEngine(string type) => type switch
    {
        "transit" => new TransitBackend(),
        _ => null,
    };

    public static IVaultBackend? CreateAuthMethod(string type) => type switch
    {
        "approle" => new AppRoleBackend(),
        _ => null,
    };
}
