using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Tokens;

/// <summary>The JSON shapes Vault answers about a token: the <c>auth</c> block and the lookup <c>data</c>.</summary>
internal static class TokenView
{
    public static JsonObject Auth(TokenEntry token, TimeSpan leaseDuration) => new()
    {
        ["client_token"] = token.Id,
        ["accessor"] = token.Accessor,
        ["policies"] = VaultFormat.Strings(token.Policies),
        ["token_policies"] = VaultFormat.Strings(token.Policies),
        ["metadata"] = Meta(token),
        ["lease_duration"] = (long)leaseDuration.TotalSeconds,
        ["renewable"] = token.Renewable,
        ["entity_id"] = token.EntityId,
        ["token_type"] = token.Type,
        ["orphan"] = token.Orphan,
        ["mfa_requirement"] = null,
        ["num_uses"] = token.NumUses,
    };

    public static JsonObject Lookup(TokenEntry token, DateTimeOffset now)
    {
        var data = new JsonObject
        {
            ["accessor"] = token.Accessor,
            ["creation_time"] = token.IssueTime.ToUnixTimeSeconds(),
            ["creation_ttl"] = (long)token.CreationTtl.TotalSeconds,
            ["display_name"] = token.DisplayName,
            ["entity_id"] = token.EntityId,
            ["expire_time"] = token.ExpireTime is { } expiry ? VaultFormat.Rfc3339(expiry) : null,
            ["explicit_max_ttl"] = (long)token.ExplicitMaxTtl.TotalSeconds,
            ["id"] = token.Id,
            ["issue_time"] = VaultFormat.Rfc3339(token.IssueTime),
            ["meta"] = Meta(token),
            ["num_uses"] = token.NumUses,
            ["orphan"] = token.Orphan,
            ["path"] = token.Path,
            ["policies"] = VaultFormat.Strings(token.Policies),
            ["renewable"] = token.Renewable,
            ["ttl"] = (long)token.Remaining(now).TotalSeconds,
            ["type"] = token.Type,
        };
        if (!token.Namespace.IsRoot)
        {
            data["namespace_path"] = token.Namespace.Path;
        }

        if (token.Period > TimeSpan.Zero)
        {
            data["period"] = (long)token.Period.TotalSeconds;
        }

        if (token.LastRenewal is { } renewal)
        {
            data["last_renewal"] = VaultFormat.Rfc3339(renewal);
            data["last_renewal_time"] = renewal.ToUnixTimeSeconds();
        }

        return data;
    }

    private static JsonObject? Meta(TokenEntry token) =>
        token.Meta is null ? null : VaultFormat.StringMap(token.Meta);
}
