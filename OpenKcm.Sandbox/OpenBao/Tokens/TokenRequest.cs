using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Tokens;

/// <summary>What a login or <c>auth/token/create</c> asks the token store for.</summary>
internal sealed class TokenRequest
{
    public required VaultNamespace Namespace { get; init; }

    public required IReadOnlyList<string> Policies { get; init; }

    public required string Path { get; init; }

    public required string DisplayName { get; init; }

    public TimeSpan Ttl { get; init; }

    public TimeSpan MaxTtl { get; init; }

    public TimeSpan ExplicitMaxTtl { get; init; }

    public TimeSpan Period { get; init; }

    public bool Renewable { get; init; } = true;

    public bool NoDefaultPolicy { get; init; }

    public bool Orphan { get; init; } = true;

    public string Type { get; init; } = "service";

    public string EntityId { get; init; } = "";

    public long NumUses { get; init; }

    public IReadOnlyDictionary<string, string>? Meta { get; init; }
}
