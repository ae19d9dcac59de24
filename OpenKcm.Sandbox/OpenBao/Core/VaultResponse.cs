using System.Text.Json.Nodes;

namespace OpenKcm.Sandbox.OpenBao.Core;

/// <summary>
/// A logical response. A handler returns <c>null</c> for "nothing": 404 for reads and lists, 204 for writes,
/// exactly as Vault's HTTP layer does.
/// </summary>
internal sealed class VaultResponse
{
    public JsonObject? Data { get; init; }

    public JsonObject? Auth { get; init; }

    public List<string> Warnings { get; } = [];

    /// <summary>Also copy <see cref="Data"/> to the top level (Vault does this for sys/mounts, sys/policy, ...).</summary>
    public bool DataAtTopLevel { get; init; }

    /// <summary>The type of the mount that answered (<c>transit</c>, <c>approle</c>, ...); set by the core.</summary>
    public string? MountType { get; set; }

    /// <summary>Overrides 200, e.g. 400 for a batch with failed items (the body is still the full response).</summary>
    public int StatusCode { get; init; } = 200;

    public static VaultResponse WithData(JsonObject data) => new() { Data = data };

    public VaultResponse WithWarning(string warning)
    {
        Warnings.Add(warning);
        return this;
    }
}
