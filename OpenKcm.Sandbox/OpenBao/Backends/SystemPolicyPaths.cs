using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao.Core;
using OpenKcm.Sandbox.OpenBao.Policies;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary><c>sys/policy/:name</c> (legacy shape, field <c>rules</c>) and <c>sys/policies/acl/:name</c> (field <c>policy</c>).</summary>
internal static class SystemPolicyPaths
{
    public static IEnumerable<VaultPath> Create() =>
    [
        new VaultPath("policy/?").On(VaultOperation.Read, ListLegacy).On(VaultOperation.List, ListLegacy),
        new VaultPath("policy/(?<name>.+)")
            .On(VaultOperation.Read, call => Read(call, "rules", legacy: true))
            .On(VaultOperation.Update, Write)
            .On(VaultOperation.Delete, Delete),
        new VaultPath("policies/acl/?").On(VaultOperation.List, ListAcl),
        new VaultPath("policies/acl/(?<name>.+)")
            .On(VaultOperation.Read, call => Read(call, "policy", legacy: false))
            .On(VaultOperation.Update, Write)
            .On(VaultOperation.Delete, Delete),
    ];

    private static VaultResponse ListLegacy(VaultCall call) => new()
    {
        Data = new JsonObject { ["keys"] = Names(call), ["policies"] = Names(call) },
        DataAtTopLevel = true,
    };

    private static VaultResponse ListAcl(VaultCall call) => VaultResponse.WithData(new JsonObject { ["keys"] = Names(call) });

    private static JsonArray Names(VaultCall call) => VaultFormat.Strings(call.Namespace.Policies.Names);

    private static VaultResponse? Read(VaultCall call, string textField, bool legacy)
    {
        if (call.Namespace.Policies.Get(call["name"]) is not { IsRoot: false } policy)
        {
            return null;
        }

        return new VaultResponse
        {
            Data = new JsonObject { ["name"] = policy.Name, [textField] = policy.Text },
            DataAtTopLevel = legacy,
        };
    }

    private static VaultResponse? Write(VaultCall call)
    {
        var name = PolicyStore.Normalize(call["name"]);
        if (name == AclPolicy.Root.Name)
        {
            throw VaultException.BadRequest("cannot update \"root\" policy");
        }

        var text = call.Fields.String("policy");
        if (text.Length == 0)
        {
            text = call.Fields.String("rules");
        }

        if (text.Trim().Length == 0)
        {
            throw VaultException.BadRequest("'policy' parameter not supplied or empty");
        }

        try
        {
            call.Namespace.Policies.Set(PolicyParser.Parse(name, text));
        }
        catch (FormatException error)
        {
            throw VaultException.BadRequest($"failed to parse policy: {error.Message}");
        }

        return null;
    }

    private static VaultResponse? Delete(VaultCall call)
    {
        var name = PolicyStore.Normalize(call["name"]);
        if (name is "root" or BuiltinPolicies.DefaultName)
        {
            throw VaultException.BadRequest($"cannot delete \"{name}\" policy");
        }

        call.Namespace.Policies.Delete(name);
        return null;
    }
}
