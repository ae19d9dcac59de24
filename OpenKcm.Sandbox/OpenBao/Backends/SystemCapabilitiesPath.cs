using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao.Core;
using OpenKcm.Sandbox.OpenBao.Policies;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary><c>sys/capabilities-self</c>: what the caller's token may do on the given paths.</summary>
internal static class SystemCapabilitiesPath
{
    public static VaultPath Create() => new VaultPath("capabilities-self").On(VaultOperation.Update, Capabilities);

    private static VaultResponse Capabilities(VaultCall call)
    {
        var paths = call.Fields.StringList("paths").Concat(call.Fields.StringList("path")).ToList();
        if (paths.Count == 0)
        {
            throw VaultException.BadRequest("paths must be supplied");
        }

        var token = call.RequireToken();
        var acl = VaultCore.AclFor(token);
        var data = new JsonObject();
        foreach (var path in paths)
        {
            var fullPath = call.Namespace.Path + path.TrimStart('/');
            List<string> names = acl.IsRoot ? ["root"]
                : fullPath.StartsWith(token.Namespace.Path, StringComparison.Ordinal)
                    ? CapabilityNames.Describe(acl.CapabilitiesOf(fullPath[token.Namespace.Path.Length..]))
                    : ["deny"];
            data[path] = VaultFormat.Strings(names);
        }

        if (paths.Count == 1)
        {
            data["capabilities"] = data[paths[0]]!.DeepClone();
        }

        return new VaultResponse { Data = data, DataAtTopLevel = true };
    }
}
