using System.Text.Json.Nodes;

namespace OpenKcm.Sandbox.OpenBao.Core;

/// <summary>A request after the HTTP layer: operation, path below <c>/v1/</c>, namespace header, token and data.</summary>
internal sealed class VaultRequest
{
    public required VaultOperation Operation { get; init; }

    /// <summary>The path below <c>/v1/</c>, without a leading slash; list requests end with a slash.</summary>
    public required string Path { get; init; }

    /// <summary>The <c>X-Vault-Namespace</c> header, or empty for the root namespace.</summary>
    public string Namespace { get; init; } = "";

    public string? ClientToken { get; init; }

    public JsonObject Data { get; init; } = [];
}
