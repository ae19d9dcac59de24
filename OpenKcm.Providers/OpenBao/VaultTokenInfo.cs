using System.Collections.Immutable;

namespace OpenKcm.Providers.OpenBao;

/// <summary>The useful part of <c>GET /v1/auth/token/lookup-self</c> (the token id itself is not kept).</summary>
internal sealed record VaultTokenInfo(
    TimeSpan Ttl,
    bool Renewable,
    ImmutableArray<string> Policies,
    TimeSpan ExplicitMaxTtl,
    TimeSpan Period,
    DateTimeOffset? ExpireTime,
    string? Type);
