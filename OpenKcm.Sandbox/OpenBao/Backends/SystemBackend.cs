using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary>
/// The <c>sys/</c> mount of every namespace. Stateless: it works on the namespace and core of each call.
/// <c>sys/health</c>, <c>sys/seal-status</c> and <c>sys/init</c> are served by the HTTP layer, as in Vault.
/// </summary>
internal sealed class SystemBackend : IVaultBackend
{
    private SystemBackend()
    {
        Paths = [.. SystemPolicyPaths.Create(), .. SystemMountPaths.Create(), .. SystemNamespacePaths.Create(),
            SystemCapabilitiesPath.Create()];
    }

    public static SystemBackend Instance { get; } = new();

    public string Type => "system";

    public IReadOnlyList<VaultPath> Paths { get; }
}
