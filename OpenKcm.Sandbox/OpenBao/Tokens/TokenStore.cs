using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Tokens;

/// <summary>
/// All tokens of an emulator (every namespace). Expired tokens disappear on lookup, as Vault's expiration manager
/// revokes them. Not thread-safe: used under the core's lock.
/// </summary>
internal sealed class TokenStore(TimeProvider time, OpenBaoProfile profile)
{
    /// <summary>Vault's system default and maximum lease TTL (32 days).</summary>
    public static readonly TimeSpan SystemMaxTtl = TimeSpan.FromHours(768);

    private readonly Dictionary<string, TokenEntry> _byId = new(StringComparer.Ordinal);

    /// <summary>A root token (never expires); a restored one keeps its saved <paramref name="id"/>.</summary>
    public TokenEntry CreateRoot(VaultNamespace rootNamespace, string? id = null) => Add(new TokenEntry
    {
        Id = id ?? NewId("service"),
        Accessor = VaultFormat.RandomId(24),
        Namespace = rootNamespace,
        Policies = ["root"],
        Path = "auth/token/root",
        DisplayName = "root",
        IssueTime = time.GetUtcNow(),
    });

    /// <summary>Issues a token; a zero TTL means the system default; the TTL is always capped by the max TTL.</summary>
    public TokenEntry Create(TokenRequest request)
    {
        var now = time.GetUtcNow();
        var policies = request.Policies
            .Append(request.NoDefaultPolicy || request.Policies.Contains("root") ? null : "default")
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var ttl = request.Period > TimeSpan.Zero ? request.Period
            : request.Ttl > TimeSpan.Zero ? request.Ttl : SystemMaxTtl;
        var cap = Cap(request.MaxTtl, request.ExplicitMaxTtl, request.Period);
        if (ttl > cap)
        {
            ttl = cap;
        }

        return Add(new TokenEntry
        {
            Id = NewId(request.Type),
            Accessor = request.Type == "batch" ? "" : VaultFormat.RandomId(24),
            Namespace = request.Namespace,
            Policies = policies,
            Path = request.Path,
            DisplayName = request.DisplayName,
            IssueTime = now,
            CreationTtl = ttl,
            RenewalTtl = request.Ttl,
            MaxTtl = request.MaxTtl,
            ExplicitMaxTtl = request.ExplicitMaxTtl,
            Period = request.Period,
            Renewable = request.Renewable && request.Type != "batch",
            Orphan = request.Orphan,
            Type = request.Type,
            EntityId = request.EntityId,
            Meta = request.Meta,
            NumUses = request.NumUses,
            ExpireTime = now + ttl,
        });
    }

    /// <summary>The live token with this id, or <c>null</c> when unknown or expired (an expired one is revoked).</summary>
    public TokenEntry? Lookup(string? id)
    {
        if (string.IsNullOrEmpty(id) || !_byId.TryGetValue(id, out var token))
        {
            return null;
        }

        if (token.ExpireTime is { } expiry && time.GetUtcNow() >= expiry)
        {
            Revoke(token);
            return null;
        }

        return token;
    }

    /// <summary>Counts one use of a limited-use token; the last use revokes it after the request.</summary>
    public void Use(TokenEntry token)
    {
        if (token.NumUses > 0 && --token.NumUses == 0)
        {
            Revoke(token);
        }
    }

    public void Revoke(TokenEntry token) => _byId.Remove(token.Id);

    public void RevokeNamespace(string namespacePath)
    {
        foreach (var token in _byId.Values.Where(t => t.Namespace.Path.StartsWith(namespacePath, StringComparison.Ordinal)).ToList())
        {
            Revoke(token);
        }
    }

    /// <summary>
    /// Extends the lease from now by <paramref name="increment"/> (or the token's own TTL), capped so it never passes
    /// the max TTL counted from issue time; the cap adds Vault's warning.
    /// </summary>
    /// <exception cref="VaultException">400 when the token is not renewable.</exception>
    public TimeSpan Renew(TokenEntry token, TimeSpan increment, ICollection<string> warnings)
    {
        if (!token.Renewable || token.ExpireTime is null)
        {
            throw VaultException.BadRequest("lease is not renewable");
        }

        var now = time.GetUtcNow();
        var ttl = token.Period > TimeSpan.Zero ? token.Period
            : increment > TimeSpan.Zero ? increment
            : token.RenewalTtl > TimeSpan.Zero ? token.RenewalTtl : SystemMaxTtl;
        var cap = Cap(token.MaxTtl, token.ExplicitMaxTtl, token.Period);
        var limit = token.IssueTime + cap;
        if (now + ttl > limit)
        {
            var capped = limit - now;
            warnings.Add($"TTL of \"{VaultDuration.ToGoString(ttl)}\" exceeded the effective max_ttl of " +
                $"\"{VaultDuration.ToGoString(capped)}\"; TTL value is capped accordingly");
            ttl = capped;
        }

        token.ExpireTime = now + ttl;
        token.LastRenewal = now;
        return ttl;
    }

    /// <summary>The longest a lease may last from issue time: periodic tokens have no cap unless explicit.</summary>
    private static TimeSpan Cap(TimeSpan maxTtl, TimeSpan explicitMaxTtl, TimeSpan period)
    {
        var cap = period > TimeSpan.Zero ? TimeSpan.FromDays(36500)
            : maxTtl > TimeSpan.Zero && maxTtl < SystemMaxTtl ? maxTtl : SystemMaxTtl;
        return explicitMaxTtl > TimeSpan.Zero && explicitMaxTtl < cap ? explicitMaxTtl : cap;
    }

    private TokenEntry Add(TokenEntry token)
    {
        _byId.Add(token.Id, token);
        return token;
    }

    private string NewId(string type)
    {
        var prefix = (profile, type) switch
        {
            (OpenBaoProfile.Vault, "batch") => "hvb.",
            (OpenBaoProfile.Vault, _) => "hvs.",
            (_, "batch") => "b.",
            _ => "s.",
        };
        return prefix + VaultFormat.RandomId(24);
    }
}
