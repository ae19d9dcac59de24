using System.Globalization;
using System.Text.Json.Nodes;

namespace OpenKcm.Sandbox.OpenBao.Tokens;

/// <summary>The JSON shapes Vault answers about a token: the <c>auth</c> block and the lookup <c>data</c>.</summary>
internal static class TokenView
{
    public static JsonObject Auth(TokenEntry token, TimeSpan leaseDuration) => new()
    {
        ["client_token"] = token.Id,
        ["accessor"] = token.Accessor,
        ["policies"] = Strings(token.Policies),
        ["token_policies"] = Strings(token.Policies),
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
            ["expire_time"] = token.ExpireTime is { } expiry ? Rfc3339(expiry) : null,
            ["explicit_max_ttl"] = (long)token.ExplicitMaxTtl.TotalSeconds,
            ["id"] = token.Id,
            ["issue_time"] = Rfc3339(token.IssueTime),
            ["meta"] = Meta(token),
            ["num_uses"] = token.NumUses,
            ["orphan"] = token.Orphan,
            ["path"] = token.Path,
            ["policies"] = Strings(token.Policies),
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
            data["last_renewal"] = Rfc3339(renewal);
            data["last_renewal_time"] = renewal.ToUnixTimeSeconds();
        }

        return data;
    }

    private static string Rfc3339(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject? Meta(TokenEntry token) =>
        token.Meta is null ? null : new JsonObject(token.Meta.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)v).ToArray());
}
