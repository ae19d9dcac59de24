using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary>
/// <c>sys/mounts</c> (secrets engines; only <c>transit</c> exists here) and <c>sys/auth</c> (auth methods; only
/// <c>approle</c> can be enabled, <c>token</c> is always there). Enabling an auth method needs sudo, as in Vault.
/// </summary>
internal static class SystemMountPaths
{
    private static readonly string[] s_reserved = ["sys/", "auth/", "cubbyhole/", "identity/", "audit/"];

    public static IEnumerable<VaultPath> Create() =>
    [
        new VaultPath("mounts/?").On(VaultOperation.Read, call => Table(call, auth: false)),
        new VaultPath("mounts/(?<path>.+)")
            .On(VaultOperation.Read, call => Describe(call, MountPath(call)))
            .On(VaultOperation.Update, call => Enable(call, auth: false))
            .On(VaultOperation.Delete, call => Disable(call, MountPath(call))),
        new VaultPath("auth/?").On(VaultOperation.Read, call => Table(call, auth: true)),
        new VaultPath("auth/(?<path>.+)") { RequiresSudo = true }
            .On(VaultOperation.Read, call => Describe(call, "auth/" + MountPath(call)))
            .On(VaultOperation.Update, call => Enable(call, auth: true))
            .On(VaultOperation.Delete, call => Disable(call, "auth/" + MountPath(call))),
    ];

    private static string MountPath(VaultCall call) => call["path"].Trim('/') + "/";

    private static VaultResponse Table(VaultCall call, bool auth)
    {
        var table = new JsonObject();
        foreach (var mount in call.Namespace.Mounts.Where(m => m.IsAuth == auth))
        {
            table[auth ? mount.Path["auth/".Length..] : mount.Path] = mount.Describe(call.Core.Version);
        }

        return new VaultResponse { Data = table, DataAtTopLevel = true };
    }

    private static VaultResponse? Describe(VaultCall call, string path) =>
        call.Namespace.MountAt(path) is { } mount ? VaultResponse.WithData(mount.Describe(call.Core.Version)) : null;

    private static VaultResponse? Enable(VaultCall call, bool auth)
    {
        var type = call.Fields.String("type");
        if (type.Length == 0)
        {
            throw VaultException.BadRequest("backend type must be specified");
        }

        var relative = MountPath(call);
        var path = auth ? "auth/" + relative : relative;
        if (!auth && s_reserved.Any(reserved => path.StartsWith(reserved, StringComparison.Ordinal)))
        {
            throw VaultException.BadRequest($"cannot mount under reserved path: \"{path}\"");
        }

        if (call.Namespace.Mounts.FirstOrDefault(m => m.Path.StartsWith(path, StringComparison.Ordinal)
                || path.StartsWith(m.Path, StringComparison.Ordinal)) is { } existing)
        {
            throw VaultException.BadRequest($"path is already in use at {existing.Path}");
        }

        var backend = auth ? BackendCatalog.CreateAuthMethod(type) : BackendCatalog.CreateSecretsEngine(type);
        if (backend is null)
        {
            throw VaultException.BadRequest(type == "token"
                ? "token credential backend cannot be instantiated"
                : $"plugin not found in the catalog: {type}");
        }

        call.Namespace.AddMount(new Mount(path, backend, call.Fields.String("description")));
        return null;
    }

    private static VaultResponse? Disable(VaultCall call, string path)
    {
        if (path is "sys/" or "auth/token/")
        {
            throw VaultException.BadRequest($"cannot unmount \"{path}\"");
        }

        return call.Namespace.RemoveMount(path) ? null : throw VaultException.BadRequest("no matching mount");
    }
}
