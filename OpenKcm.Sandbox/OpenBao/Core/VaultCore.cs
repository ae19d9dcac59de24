using System.Text.RegularExpressions;
using OpenKcm.Sandbox.OpenBao.Backends;
using OpenKcm.Sandbox.OpenBao.Policies;
using OpenKcm.Sandbox.OpenBao.Tokens;

namespace OpenKcm.Sandbox.OpenBao.Core;

/// <summary>
/// The server state (namespaces, mounts, policies, tokens) and the request pipeline, in Vault's order: namespace,
/// token, existence check, ACL, route, handler. All requests are serialized by one lock: the emulator favours being
/// obviously correct over throughput (an in-memory request takes microseconds).
/// </summary>
internal sealed class VaultCore
{
    private static readonly HashSet<string> s_selfPaths =
        ["auth/token/lookup-self", "auth/token/renew-self", "auth/token/revoke-self"];

    private readonly Lock _gate;
    private readonly Dictionary<string, VaultNamespace> _namespaces;

    /// <summary>A new server, or a restored one with its saved <paramref name="clusterId"/> and <paramref name="rootUuid"/>.</summary>
    public VaultCore(TimeProvider time, OpenBaoProfile profile, string? clusterId = null, string? rootUuid = null)
    {
        _gate = new Lock();
        _namespaces = new(StringComparer.Ordinal);
        Time = time;
        Profile = profile;
        ClusterId = clusterId ?? Guid.NewGuid().ToString();
        Tokens = new TokenStore(time, profile);
        Root = CreateNamespace("", "root", rootUuid);
    }

    /// <summary>A replica of <paramref name="primary"/>: see <see cref="CreateReplica"/>.</summary>
    private VaultCore(VaultCore primary)
    {
        _gate = primary._gate;
        _namespaces = primary._namespaces;
        Time = primary.Time;
        Profile = primary.Profile;
        ClusterId = Guid.NewGuid().ToString();
        Tokens = new TokenStore(primary.Time, primary.Profile);
        Root = primary.Root;
        Primary = primary;
    }

    /// <summary>The core this one replicates; null for a primary.</summary>
    public VaultCore? Primary { get; }

    public TimeProvider Time { get; }

    public OpenBaoProfile Profile { get; }

    public string Version => Profile == OpenBaoProfile.Vault ? "1.19.0" : "2.6.2";

    public string ClusterName => Profile == OpenBaoProfile.Vault ? "vault-cluster-sandbox" : "bao-cluster-sandbox";

    public string ClusterId { get; }

    public TokenStore Tokens { get; }

    public VaultNamespace Root { get; }

    /// <summary>Every namespace, the root first; read under <see cref="RunLocked"/>.</summary>
    public IEnumerable<VaultNamespace> Namespaces => _namespaces.Values.OrderBy(ns => ns.Path, StringComparer.Ordinal);

    /// <summary>
    /// Called under the lock after every request that may have changed state (any operation but read and list),
    /// whether it succeeded or not; set before the emulator serves requests. Must not throw.
    /// </summary>
    public Action<VaultCore>? AfterWrite { get; set; }

    /// <summary>
    /// A second cluster that replicates this one, as a performance-replicated OpenBao/Vault cluster does: it shares
    /// every namespace with its mounts (transit keys with all their versions, AppRole roles and secret IDs) and
    /// policies, and the lock that serializes requests, so a change through either is at once visible through the
    /// other; it has its own cluster id and its own token store (tokens are per cluster, as in Vault). Writes through
    /// the replica run the primary's <see cref="AfterWrite"/> (persistence is the primary's).
    /// </summary>
    public VaultCore CreateReplica() => new(this);

    /// <summary>Handles one request; <c>null</c> means 204 No Content.</summary>
    /// <exception cref="VaultException">Every error answer.</exception>
    public VaultResponse? Handle(VaultRequest request)
    {
        lock (_gate)
        {
            try
            {
                return Dispatch(request);
            }
            finally
            {
                if (request.Operation is not (VaultOperation.Read or VaultOperation.List))
                {
                    var owner = Primary ?? this;
                    owner.AfterWrite?.Invoke(owner);
                }
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> under the lock that serializes requests (to read a consistent state).</summary>
    public void RunLocked(Action<VaultCore> action)
    {
        lock (_gate)
        {
            action(this);
        }
    }

    /// <summary>
    /// Creates a namespace with the mounts every namespace has (<c>sys/</c>, <c>auth/token/</c>); a restored one
    /// keeps its saved <paramref name="uuid"/>.
    /// </summary>
    public VaultNamespace CreateNamespace(string path, string id, string? uuid = null)
    {
        var ns = new VaultNamespace(path, id, uuid);
        ns.AddMount(new Mount("sys/", SystemBackend.Instance, "system endpoints used for control, policy and debugging"));
        ns.AddMount(new Mount("auth/token/", TokenBackend.Instance, "token based credentials"));
        _namespaces.Add(path, ns);
        return ns;
    }

    public VaultNamespace? FindNamespace(string path) => _namespaces.GetValueOrDefault(path);

    public IEnumerable<VaultNamespace> ChildrenOf(VaultNamespace parent) =>
        _namespaces.Values.Where(ns => ns.Path.Length > parent.Path.Length
            && ns.Path.StartsWith(parent.Path, StringComparison.Ordinal)
            && ns.Path.AsSpan(parent.Path.Length).TrimEnd('/').IndexOf('/') < 0);

    /// <summary>Deletes a namespace with its descendants and revokes their tokens.</summary>
    public void DeleteNamespace(VaultNamespace ns)
    {
        foreach (var path in _namespaces.Keys.Where(p => p.StartsWith(ns.Path, StringComparison.Ordinal)).ToList())
        {
            _namespaces.Remove(path);
        }

        Tokens.RevokeNamespace(ns.Path);
    }

    public static string NormalizeNamespace(string value)
    {
        var trimmed = value.Trim().Trim('/');
        return trimmed.Length == 0 ? "" : trimmed + "/";
    }

    private VaultResponse? Dispatch(VaultRequest request)
    {
        var (ns, path) = ResolveNamespace(request.Namespace, request.Path);
        var operation = request.Operation;
        var fields = new FieldReader(request.Data);
        var route = Route(ns, path);
        TokenEntry? token = null;
        if (route?.Path.Unauthenticated != true)
        {
            token = Tokens.Lookup(request.ClientToken) ?? throw VaultException.PermissionDenied();
            if (s_selfPaths.Contains(path) && token.Namespace != ns)
            {
                // The -self paths mean nothing outside the token's namespace: Vault always serves them there.
                ns = token.Namespace;
                route = Route(ns, path);
            }

            if (operation == VaultOperation.Update && route?.Path.ExistenceCheck is { } exists)
            {
                operation = exists(Call(route, ns, operation, fields, token)) ? VaultOperation.Update : VaultOperation.Create;
            }

            Authorize(token, ns, path, operation, route?.Path.RequiresSudo == true);
            Tokens.Use(token);
        }

        if (route is null)
        {
            throw new VaultException(404, ns.FindMount(path) is null
                ? $"no handler for route \"{ns.Path}{path}\". route entry not found."
                : "unsupported path");
        }

        var handler = route.Path.Handler(operation) ?? throw new VaultException(405, "unsupported operation");
        var response = handler(Call(route, ns, operation, fields, token));
        if (response is null && operation is VaultOperation.Read or VaultOperation.List)
        {
            throw new VaultException(404);
        }

        if (response is not null)
        {
            response.MountType = route.Mount.Type;
        }

        return response;
    }

    private void Authorize(TokenEntry token, VaultNamespace ns, string path, VaultOperation operation, bool requiresSudo)
    {
        // Policies live in the token's namespace and name paths relative to it; a token reaches child namespaces
        // through paths like "team-a/openkcm-keys/...", never its parent's.
        var fullPath = ns.Path + path;
        var home = token.Namespace;
        if (!fullPath.StartsWith(home.Path, StringComparison.Ordinal))
        {
            throw VaultException.PermissionDenied();
        }

        if (!AclFor(token).Allows(fullPath[home.Path.Length..], operation, requiresSudo))
        {
            throw VaultException.PermissionDenied();
        }
    }

    public static Acl AclFor(TokenEntry token) =>
        new(token.Policies.Select(token.Namespace.Policies.Get).OfType<AclPolicy>());

    private (VaultNamespace Namespace, string Path) ResolveNamespace(string header, string path)
    {
        var ns = FindNamespace(NormalizeNamespace(header)) ?? throw new VaultException(404, "namespace not found");
        while (true)
        {
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || !_namespaces.TryGetValue(ns.Path + path[..(slash + 1)], out var child))
            {
                return (ns, path);
            }

            ns = child;
            path = path[(slash + 1)..];
        }
    }

    private static RouteMatch? Route(VaultNamespace ns, string path)
    {
        if (ns.FindMount(path) is not { } mount)
        {
            return null;
        }

        var relative = path[mount.Path.Length..];
        foreach (var candidate in mount.Backend.Paths)
        {
            var match = candidate.Pattern.Match(relative);
            if (match.Success)
            {
                return new RouteMatch(mount, candidate, match);
            }
        }

        return null;
    }

    private VaultCall Call(RouteMatch route, VaultNamespace ns, VaultOperation operation, FieldReader fields, TokenEntry? token) =>
        new()
        {
            Core = this,
            Namespace = ns,
            Mount = route.Mount,
            Operation = operation,
            Match = route.Match,
            Fields = fields,
            Token = token,
        };

    private sealed record RouteMatch(Mount Mount, VaultPath Path, Match Match);
}
