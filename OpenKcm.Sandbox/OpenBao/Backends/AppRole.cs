using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary>An AppRole role: login constraints and the parameters of the tokens it issues.</summary>
internal sealed record AppRole
{
    public required string Name { get; init; }

    public required string RoleId { get; init; }

    public string EntityId { get; init; } = Guid.NewGuid().ToString();

    public bool BindSecretId { get; init; } = true;

    public IReadOnlyList<string> SecretIdBoundCidrs { get; init; } = [];

    public long SecretIdNumUses { get; init; }

    public TimeSpan SecretIdTtl { get; init; }

    public bool LocalSecretIds { get; init; }

    public IReadOnlyList<string> TokenPolicies { get; init; } = [];

    public IReadOnlyList<string> TokenBoundCidrs { get; init; } = [];

    public TimeSpan TokenTtl { get; init; }

    public TimeSpan TokenMaxTtl { get; init; }

    public TimeSpan TokenExplicitMaxTtl { get; init; }

    public TimeSpan TokenPeriod { get; init; }

    public bool TokenNoDefaultPolicy { get; init; }

    public long TokenNumUses { get; init; }

    public string TokenType { get; init; } = "default";

    /// <summary>The data of <c>GET auth/approle/role/:name</c> (with the legacy mirrors <c>policies</c>, <c>period</c>).</summary>
    public JsonObject Describe() => new()
    {
        ["bind_secret_id"] = BindSecretId,
        ["local_secret_ids"] = LocalSecretIds,
        ["secret_id_bound_cidrs"] = VaultFormat.Strings(SecretIdBoundCidrs),
        ["secret_id_num_uses"] = SecretIdNumUses,
        ["secret_id_ttl"] = (long)SecretIdTtl.TotalSeconds,
        ["token_bound_cidrs"] = VaultFormat.Strings(TokenBoundCidrs),
        ["token_explicit_max_ttl"] = (long)TokenExplicitMaxTtl.TotalSeconds,
        ["token_max_ttl"] = (long)TokenMaxTtl.TotalSeconds,
        ["token_no_default_policy"] = TokenNoDefaultPolicy,
        ["token_num_uses"] = TokenNumUses,
        ["token_period"] = (long)TokenPeriod.TotalSeconds,
        ["token_policies"] = VaultFormat.Strings(TokenPolicies),
        ["token_ttl"] = (long)TokenTtl.TotalSeconds,
        ["token_type"] = TokenType,
        ["policies"] = VaultFormat.Strings(TokenPolicies),
        ["period"] = (long)TokenPeriod.TotalSeconds,
    };
}
