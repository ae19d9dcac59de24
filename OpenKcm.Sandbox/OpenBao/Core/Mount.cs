using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace OpenKcm.Sandbox.OpenBao.Core;

/// <summary>A backend mounted at a path of a namespace (<c>openkcm-keys/</c>, <c>auth/approle/</c>, <c>sys/</c>).</summary>
internal sealed class Mount
{
    /// <summary>A new mount, or a restored one with its saved <paramref name="accessor"/> and <paramref name="uuid"/>.</summary>
    public Mount(string path, IVaultBackend backend, string description, string? accessor = null, string? uuid = null)
    {
        Path = path;
        Backend = backend;
        Description = description;
        Accessor = accessor ?? $"{backend.Type}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        Uuid = uuid ?? Guid.NewGuid().ToString();
    }

    /// <summary>The mount point, ending with a slash; auth methods start with <c>auth/</c>.</summary>
    public string Path { get; }

    public IVaultBackend Backend { get; }

    public string Type => Backend.Type;

    public string Description { get; }

    public string Accessor { get; }

    public string Uuid { get; }

    public bool IsAuth => Path.StartsWith("auth/", StringComparison.Ordinal);

    /// <summary>The entry shape of <c>GET sys/mounts</c> and <c>GET sys/auth</c>.</summary>
    public JsonObject Describe(string version) => new()
    {
        ["accessor"] = Accessor,
        ["config"] = new JsonObject
        {
            ["default_lease_ttl"] = 0,
            ["force_no_cache"] = false,
            ["max_lease_ttl"] = 0,
            ["token_type"] = IsAuth ? "default-service" : null,
        },
        ["description"] = Description,
        ["external_entropy_access"] = false,
        ["local"] = false,
        ["options"] = null,
        ["plugin_version"] = "",
        ["running_plugin_version"] = $"v{version}+builtin",
        ["running_sha256"] = "",
        ["seal_wrap"] = false,
        ["type"] = Type,
        ["uuid"] = Uuid,
    };
}
