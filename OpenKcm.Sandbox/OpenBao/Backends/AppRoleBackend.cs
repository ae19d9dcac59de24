using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao.Core;
using OpenKcm.Sandbox.OpenBao.State;
using OpenKcm.Sandbox.OpenBao.Tokens;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary>
/// An AppRole mount: roles, their role IDs and secret IDs, and login. Errors follow Vault's approle backend
/// (<c>path_login.go</c>): an unknown role ID and a wrong secret ID both answer 400 "invalid role or secret ID".
/// </summary>
internal sealed class AppRoleBackend : IVaultBackend
{
    private const string Role = "role/(?<role>" + VaultPath.Name + ")";
    private const string InvalidCredentials = "invalid role or secret ID";

    private readonly Dictionary<string, AppRole> _roles = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Dictionary<string, AppRoleSecretId>> _secretIds = new(StringComparer.OrdinalIgnoreCase);

    public AppRoleBackend()
    {
        Paths =
        [
            new VaultPath("login") { Unauthenticated = true }.On(VaultOperation.Update, Login),
            new VaultPath("role/?").On(VaultOperation.List, ListRoles),
            new VaultPath(Role) { ExistenceCheck = call => _roles.ContainsKey(call["role"]) }
                .On(VaultOperation.Read, call => FindRole(call)?.Describe() is { } data ? VaultResponse.WithData(data) : null)
                .OnWrite(AppRoleWriter.Write(_roles))
                .On(VaultOperation.Delete, DeleteRole),
            new VaultPath(Role + "/role-id")
                .On(VaultOperation.Read, call => FindRole(call) is { } role
                    ? VaultResponse.WithData(new JsonObject { ["role_id"] = role.RoleId }) : null)
                .On(VaultOperation.Update, UpdateRoleId),
            new VaultPath(Role + "/secret-id/?")
                .On(VaultOperation.Update, call => IssueSecretId(call, Guid.NewGuid().ToString()))
                .On(VaultOperation.List, ListSecretIds),
            new VaultPath(Role + "/custom-secret-id").On(VaultOperation.Update, call => IssueSecretId(call,
                call.Fields.String("secret_id") is { Length: > 0 } id ? id : throw VaultException.BadRequest("missing secret_id"))),
            new VaultPath(Role + "/secret-id/lookup").On(VaultOperation.Update, call =>
                SecretIds(call).GetValueOrDefault(call.Fields.String("secret_id")) is { } entry
                    ? VaultResponse.WithData(entry.Describe()) : null),
            new VaultPath(Role + "/secret-id/destroy").On(VaultOperation.Update, DestroySecretId).On(VaultOperation.Delete, DestroySecretId),
            new VaultPath(Role + "/secret-id-accessor/destroy").On(VaultOperation.Update, DestroyAccessor),
        ];
    }

    public string Type => "approle";

    public IReadOnlyList<VaultPath> Paths { get; }

    /// <summary>Roles and secret IDs, for the state file (under the core's lock; serialize before releasing it).</summary>
    public AppRoleState Save() => new()
    {
        Roles = _roles.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ToList(),
        SecretIds = _secretIds.Where(pair => pair.Value.Count > 0).ToDictionary(
            pair => pair.Key, pair => (IReadOnlyList<AppRoleSecretId>)[.. pair.Value.Values], StringComparer.Ordinal),
    };

    /// <summary>Adds saved roles and secret IDs to a new mount.</summary>
    /// <exception cref="InvalidDataException">Names or role IDs repeat, or secret IDs belong to no role.</exception>
    public void Restore(AppRoleState state)
    {
        foreach (var (role, index) in state.Roles.Select((r, i) => (r, i)))
        {
            if (role.Name.Length == 0 || role.RoleId.Length == 0 || _roles.Values.Any(r => r.RoleId == role.RoleId)
                || !_roles.TryAdd(role.Name, role))
            {
                throw new InvalidDataException($"app_role.roles[{index}]: empty, or a name or role ID used twice");
            }
        }

        foreach (var (roleName, secretIds) in state.SecretIds)
        {
            if (!_roles.ContainsKey(roleName))
            {
                throw new InvalidDataException("app_role.secret_ids: secret IDs of a role that does not exist");
            }

            var entries = new Dictionary<string, AppRoleSecretId>(StringComparer.Ordinal);
            if (secretIds.Any(entry => entry.SecretId.Length == 0 || !entries.TryAdd(entry.SecretId, entry)))
            {
                throw new InvalidDataException("app_role.secret_ids: an empty secret ID, or one issued twice");
            }

            _secretIds[roleName] = entries;
        }
    }

    private VaultResponse Login(VaultCall call)
    {
        var roleId = call.Fields.String("role_id").Trim();
        if (roleId.Length == 0)
        {
            throw VaultException.BadRequest("missing role_id");
        }

        var role = _roles.Values.FirstOrDefault(r => r.RoleId == roleId) ?? throw VaultException.BadRequest(InvalidCredentials);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (role.BindSecretId)
        {
            foreach (var pair in UseSecretId(call, role))
            {
                metadata[pair.Key] = pair.Value;
            }
        }

        metadata["role_name"] = role.Name;
        var token = call.Core.Tokens.Create(new TokenRequest
        {
            Namespace = call.Namespace,
            Policies = role.TokenPolicies,
            Path = call.Mount.Path + "login",
            DisplayName = call.Mount.Type,
            Ttl = role.TokenTtl,
            MaxTtl = role.TokenMaxTtl,
            ExplicitMaxTtl = role.TokenExplicitMaxTtl,
            Period = role.TokenPeriod,
            NoDefaultPolicy = role.TokenNoDefaultPolicy,
            NumUses = role.TokenNumUses,
            Type = role.TokenType == "batch" ? "batch" : "service",
            EntityId = role.EntityId,
            Meta = metadata,
        });
        return new VaultResponse { Auth = TokenView.Auth(token, token.CreationTtl) };
    }

    private IReadOnlyDictionary<string, string> UseSecretId(VaultCall call, AppRole role)
    {
        var secretId = call.Fields.String("secret_id").Trim();
        if (secretId.Length == 0)
        {
            throw VaultException.BadRequest("missing secret_id");
        }

        var secretIds = _secretIds.GetValueOrDefault(role.Name) ?? [];
        if (!secretIds.TryGetValue(secretId, out var entry) || entry.IsExpired(call.Now))
        {
            throw VaultException.BadRequest(InvalidCredentials);
        }

        if (entry.NumUses > 0 && --entry.NumUses == 0)
        {
            secretIds.Remove(secretId);
        }

        return entry.Metadata;
    }

    private AppRole? FindRole(VaultCall call) => _roles.GetValueOrDefault(call["role"]);

    private AppRole RequireRole(VaultCall call) =>
        FindRole(call) ?? throw VaultException.BadRequest($"role \"{call["role"]}\" does not exist");

    private Dictionary<string, AppRoleSecretId> SecretIds(VaultCall call)
    {
        var name = RequireRole(call).Name;
        if (!_secretIds.TryGetValue(name, out var ids))
        {
            ids = [];
            _secretIds[name] = ids;
        }

        return ids;
    }

    private VaultResponse? ListRoles(VaultCall call) => _roles.Count == 0 ? null
        : VaultResponse.WithData(new JsonObject
        {
            ["keys"] = VaultFormat.Strings(_roles.Keys.Order(StringComparer.Ordinal)),
        });

    private VaultResponse? DeleteRole(VaultCall call)
    {
        _roles.Remove(call["role"]);
        _secretIds.Remove(call["role"]);
        return null;
    }

    private VaultResponse? UpdateRoleId(VaultCall call)
    {
        var role = RequireRole(call);
        var roleId = call.Fields.String("role_id").Trim();
        if (roleId.Length == 0)
        {
            throw VaultException.BadRequest("missing role_id");
        }

        if (_roles.Values.Any(r => r.RoleId == roleId && r != role))
        {
            throw VaultException.BadRequest("role_id already in use");
        }

        _roles[role.Name] = role with { RoleId = roleId };
        return null;
    }

    private VaultResponse IssueSecretId(VaultCall call, string secretId)
    {
        var role = RequireRole(call);
        var secretIds = SecretIds(call);
        if (secretIds.ContainsKey(secretId))
        {
            throw VaultException.BadRequest("SecretID is already registered");
        }

        var entry = new AppRoleSecretId
        {
            SecretId = secretId,
            CreationTime = call.Now,
            Ttl = call.Fields.Duration("ttl", role.SecretIdTtl),
            NumUses = call.Fields.Int("num_uses", role.SecretIdNumUses),
            Metadata = call.Fields.StringMap("metadata"),
            CidrList = call.Fields.StringList("cidr_list"),
        };
        secretIds.Add(secretId, entry);
        return VaultResponse.WithData(entry.Issued());
    }

    private VaultResponse? ListSecretIds(VaultCall call)
    {
        var accessors = SecretIds(call).Values.Select(e => e.Accessor).ToList();
        return accessors.Count == 0 ? null : VaultResponse.WithData(new JsonObject { ["keys"] = VaultFormat.Strings(accessors) });
    }

    private VaultResponse? DestroySecretId(VaultCall call)
    {
        SecretIds(call).Remove(call.Fields.String("secret_id"));
        return null;
    }

    private VaultResponse? DestroyAccessor(VaultCall call)
    {
        var accessor = call.Fields.String("secret_id_accessor");
        var secretIds = SecretIds(call);
        var entry = secretIds.Values.FirstOrDefault(e => e.Accessor == accessor)
            ?? throw VaultException.BadRequest($"failed to find accessor entry for secret_id_accessor: \"{accessor}\"");
        secretIds.Remove(entry.SecretId);
        return null;
    }
}
