using OpenKcm.Sandbox.OpenBao.Core;
using OpenKcm.Sandbox.OpenBao.Tokens;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary>
/// <c>auth/token/</c>: self-service (lookup-self, renew-self, revoke-self), child tokens (create), and lookup, renew
/// and revoke of other tokens. Tokens themselves live in the core's <see cref="TokenStore"/>.
/// </summary>
internal sealed class TokenBackend : IVaultBackend
{
    private TokenBackend()
    {
        Paths =
        [
            new VaultPath("lookup-self").On(VaultOperation.Read, call => Lookup(call, call.RequireToken())),
            new VaultPath("renew-self").On(VaultOperation.Update, call => Renew(call, call.RequireToken())),
            new VaultPath("revoke-self").On(VaultOperation.Update, call => Revoke(call, call.RequireToken())),
            new VaultPath("create").On(VaultOperation.Update, Create),
            new VaultPath("lookup").On(VaultOperation.Update, call => Lookup(call, Target(call, 403, "bad token"))),
            new VaultPath("renew").On(VaultOperation.Update, call => Renew(call, Target(call, 400, "invalid token"))),
            new VaultPath("revoke").On(VaultOperation.Update, call =>
                call.Core.Tokens.Lookup(call.Fields.String("token")) is { } token ? Revoke(call, token) : null),
        ];
    }

    public static TokenBackend Instance { get; } = new();

    public string Type => "token";

    public IReadOnlyList<VaultPath> Paths { get; }

    private static TokenEntry Target(VaultCall call, int status, string error) =>
        call.Core.Tokens.Lookup(call.Fields.String("token")) ?? throw new VaultException(status, error);

    private static VaultResponse Lookup(VaultCall call, TokenEntry token) =>
        VaultResponse.WithData(TokenView.Lookup(token, call.Now));

    private static VaultResponse Renew(VaultCall call, TokenEntry token)
    {
        var warnings = new List<string>();
        var ttl = call.Core.Tokens.Renew(token, call.Fields.Duration("increment", TimeSpan.Zero), warnings);
        var response = new VaultResponse { Auth = TokenView.Auth(token, ttl) };
        response.Warnings.AddRange(warnings);
        return response;
    }

    private static VaultResponse? Revoke(VaultCall call, TokenEntry token)
    {
        call.Core.Tokens.Revoke(token);
        return null;
    }

    private static VaultResponse Create(VaultCall call)
    {
        var parent = call.RequireToken();
        var fields = call.Fields;
        var policies = fields.Has("policies") ? fields.StringList("policies").Select(p => p.ToLowerInvariant()).ToList()
            : parent.Policies.ToList();
        if (!parent.IsRoot)
        {
            if (policies.Contains("root"))
            {
                throw VaultException.BadRequest("root tokens may not be created without parent token being root");
            }

            if (policies.Except(parent.Policies).Except(["default"]).Any())
            {
                throw VaultException.BadRequest("child policies must be subset of parent");
            }
        }

        var type = fields.String("type", "service");
        if (type is not ("service" or "batch"))
        {
            throw VaultException.BadRequest($"unsupported token type {type}");
        }

        var name = fields.String("display_name");
        var token = call.Core.Tokens.Create(new TokenRequest
        {
            Namespace = call.Namespace,
            Policies = policies,
            Path = "auth/token/create",
            DisplayName = name.Length == 0 ? "token" : "token-" + name,
            Ttl = fields.Duration("ttl", TimeSpan.Zero),
            ExplicitMaxTtl = fields.Duration("explicit_max_ttl", TimeSpan.Zero),
            Period = fields.Duration("period", TimeSpan.Zero),
            Renewable = fields.Bool("renewable", fallback: true),
            NoDefaultPolicy = fields.Bool("no_default_policy", fallback: false),
            Orphan = false,
            Type = type,
            NumUses = fields.Int("num_uses", 0),
            Meta = fields.StringMap("meta"),
        });
        return new VaultResponse { Auth = TokenView.Auth(token, token.CreationTtl) };
    }
}
