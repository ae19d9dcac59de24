using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary>
/// <c>POST auth/approle/role/:name</c>: creates a role or changes only the fields sent, then validates the result
/// as Vault does before storing it (so a rejected update leaves the role as it was).
/// </summary>
internal static class AppRoleWriter
{
    public static Func<VaultCall, VaultResponse?> Write(Dictionary<string, AppRole> roles) => call =>
    {
        var f = call.Fields;
        var existing = roles.GetValueOrDefault(call["role"]);
        var role = existing ?? new AppRole
        {
            Name = call["role"],
            RoleId = f.String("role_id") is { Length: > 0 } roleId ? roleId : Guid.NewGuid().ToString(),
            LocalSecretIds = f.Bool("local_secret_ids", fallback: false),
        };
        role = role with
        {
            BindSecretId = f.Bool("bind_secret_id", role.BindSecretId),
            SecretIdBoundCidrs = f.Has("secret_id_bound_cidrs") ? f.StringList("secret_id_bound_cidrs") : role.SecretIdBoundCidrs,
            SecretIdNumUses = f.Int("secret_id_num_uses", role.SecretIdNumUses),
            SecretIdTtl = f.Duration("secret_id_ttl", role.SecretIdTtl),
            TokenPolicies = Policies(f) ?? role.TokenPolicies,
            TokenBoundCidrs = f.Has("token_bound_cidrs") ? f.StringList("token_bound_cidrs") : role.TokenBoundCidrs,
            TokenTtl = f.Duration("token_ttl", role.TokenTtl),
            TokenMaxTtl = f.Duration("token_max_ttl", role.TokenMaxTtl),
            TokenExplicitMaxTtl = f.Duration("token_explicit_max_ttl", role.TokenExplicitMaxTtl),
            TokenPeriod = f.Duration("token_period", f.Duration("period", role.TokenPeriod)),
            TokenNoDefaultPolicy = f.Bool("token_no_default_policy", role.TokenNoDefaultPolicy),
            TokenNumUses = f.Int("token_num_uses", role.TokenNumUses),
            TokenType = f.String("token_type", role.TokenType),
        };
        Validate(role);
        if (existing is null && roles.Values.Any(r => r.RoleId == role.RoleId))
        {
            throw VaultException.BadRequest("role_id already in use");
        }

        roles[role.Name] = role;
        return null;
    };

    private static IReadOnlyList<string>? Policies(FieldReader fields)
    {
        var name = fields.Has("token_policies") ? "token_policies" : fields.Has("policies") ? "policies" : null;
        return name is null ? null : fields.StringList(name).Select(p => p.ToLowerInvariant()).Distinct().ToList();
    }

    private static void Validate(AppRole role)
    {
        if (!role.BindSecretId && role.SecretIdBoundCidrs.Count == 0 && role.TokenBoundCidrs.Count == 0)
        {
            throw VaultException.BadRequest("at least one constraint should be enabled on the role");
        }

        if (role.SecretIdNumUses < 0)
        {
            throw VaultException.BadRequest("secret_id_num_uses cannot be negative");
        }

        if (role.TokenMaxTtl > TimeSpan.Zero && role.TokenTtl > role.TokenMaxTtl)
        {
            throw VaultException.BadRequest("'token_ttl' cannot be greater than 'token_max_ttl'");
        }

        if (role.TokenType is not ("default" or "service" or "batch"))
        {
            throw VaultException.BadRequest($"invalid 'token_type' value \"{role.TokenType}\"");
        }

        if (role.TokenType == "batch" && role.TokenPeriod > TimeSpan.Zero)
        {
            throw VaultException.BadRequest("'token_type' cannot be 'batch' when set to generate periodic tokens");
        }
    }
}
