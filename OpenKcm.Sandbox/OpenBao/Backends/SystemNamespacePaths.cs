using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary>
/// <c>sys/namespaces/:name</c>: child namespaces of the request's namespace, one level at a time (create
/// <c>a/b</c> by sending <c>X-Vault-Namespace: a</c> and <c>sys/namespaces/b</c>).
/// </summary>
internal static partial class SystemNamespacePaths
{
    private static readonly HashSet<string> s_reserved = ["root", "sys", "audit", "auth", "cubbyhole", "identity"];

    public static IEnumerable<VaultPath> Create() =>
    [
        new VaultPath("namespaces/?").On(VaultOperation.List, List),
        new VaultPath("namespaces/(?<path>.+)")
            .On(VaultOperation.Read, call => Find(call) is { } ns ? VaultResponse.WithData(ns.Describe()) : null)
            .On(VaultOperation.Update, Write)
            .On(VaultOperation.Delete, Delete),
    ];

    private static VaultResponse? List(VaultCall call)
    {
        var children = call.Core.ChildrenOf(call.Namespace).OrderBy(ns => ns.Path, StringComparer.Ordinal).ToList();
        if (children.Count == 0)
        {
            return null;
        }

        var keys = children.Select(ns => (JsonNode?)ns.Path[call.Namespace.Path.Length..]).ToArray();
        var info = new JsonObject(children.Select(ns =>
            KeyValuePair.Create(ns.Path[call.Namespace.Path.Length..], (JsonNode?)ns.Describe())));
        return VaultResponse.WithData(new JsonObject { ["keys"] = new JsonArray(keys), ["key_info"] = info });
    }

    private static VaultNamespace? Find(VaultCall call) =>
        call.Core.FindNamespace(call.Namespace.Path + VaultCore.NormalizeNamespace(call["path"]));

    private static VaultResponse Write(VaultCall call)
    {
        var name = call["path"].Trim('/');
        if (!NamespaceName().IsMatch(name) || s_reserved.Contains(name))
        {
            throw VaultException.BadRequest($"invalid namespace name \"{name}\"");
        }

        var ns = Find(call) ?? call.Core.CreateNamespace(call.Namespace.Path + name + "/", VaultFormat.RandomId(5));
        if (call.Fields.Has("custom_metadata"))
        {
            ns.CustomMetadata = VaultFormat.StringMap(call.Fields.StringMap("custom_metadata"));
        }

        return VaultResponse.WithData(ns.Describe());
    }

    private static VaultResponse? Delete(VaultCall call)
    {
        if (Find(call) is not { } ns)
        {
            return null;
        }

        if (call.Core.ChildrenOf(ns).Any())
        {
            throw VaultException.BadRequest($"cannot delete namespace (\"{ns.Path}\") containing child namespaces");
        }

        call.Core.DeleteNamespace(ns);
        return null;
    }

    [GeneratedRegex(@"^[\w\-.]+$", RegexOptions.CultureInvariant)]
    private static partial Regex NamespaceName();
}
