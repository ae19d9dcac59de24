using OpenKcm.Sandbox.OpenBao.Backends;
using OpenKcm.Sandbox.OpenBao.Core;
using OpenKcm.Sandbox.OpenBao.Policies;

namespace OpenKcm.Sandbox.OpenBao.State;

/// <summary>
/// Turns a running core into an <see cref="OpenBaoState"/> and a saved state back into a core. Namespaces, policies,
/// transit and AppRole mounts (keys, roles, secret IDs) and the root token survive; other tokens do not.
/// </summary>
internal static class OpenBaoSnapshot
{
    /// <summary>
    /// The state of <paramref name="core"/>. Call under the core's lock and serialize before leaving it: the result
    /// shares mutable objects (secret ID use counts) with the core.
    /// </summary>
    public static OpenBaoState Capture(VaultCore core, OpenBaoIdentity identity, int port) => new()
    {
        Format = OpenBaoState.CurrentFormat,
        ClusterId = core.ClusterId,
        RootToken = identity.RootToken,
        RoleId = identity.RoleId,
        SecretId = identity.SecretId,
        Port = port,
        Namespaces = core.Namespaces.Select(ns => new NamespaceState
        {
            Path = ns.Path,
            Id = ns.Id,
            Uuid = ns.Uuid,
            CustomMetadata = ns.CustomMetadata.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "", StringComparer.Ordinal),
            Policies = ns.Policies.Policies.Select(p => new PolicyState { Name = p.Name, Text = p.Text }).ToList(),
            Mounts = ns.Mounts.Select(Capture).OfType<MountState>().ToList(),
        }).ToList(),
    };

    /// <summary>A core as <paramref name="state"/> describes it, with the root token registered again, and the last port.</summary>
    /// <exception cref="InvalidDataException">The state is not one this emulator could have saved; the message says
    /// where (<c>namespaces[0].mounts[1]: …</c>) and never quotes a value.</exception>
    public static OpenBaoStartup Restore(OpenBaoState state, TimeProvider time, OpenBaoProfile profile)
    {
        if (state.Format != OpenBaoState.CurrentFormat)
        {
            throw new InvalidDataException($"format {state.Format}; this sandbox reads format {OpenBaoState.CurrentFormat}");
        }

        if (new[] { state.ClusterId, state.RootToken, state.RoleId, state.SecretId }.Any(string.IsNullOrWhiteSpace))
        {
            throw new InvalidDataException("an empty cluster_id, root_token, role_id or secret_id");
        }

        if (state.Namespaces.Count(ns => ns.Path.Length == 0) != 1)
        {
            throw new InvalidDataException("namespaces: not exactly one root namespace");
        }

        var core = new VaultCore(time, profile, state.ClusterId, state.Namespaces.Single(ns => ns.Path.Length == 0).Uuid);
        foreach (var (ns, index) in state.Namespaces.Select((ns, i) => (ns, i)))
        {
            var where = $"namespaces[{index}]";
            if (ns.Path.Length > 0 && (!ns.Path.EndsWith('/') || core.FindNamespace(ns.Path) is not null))
            {
                throw new InvalidDataException($"{where}: a path without a trailing slash, or used twice");
            }

            var target = ns.Path.Length == 0 ? core.Root : core.CreateNamespace(ns.Path, ns.Id, ns.Uuid);
            target.CustomMetadata = VaultFormat.StringMap(ns.CustomMetadata);
            RestorePolicies(target, ns.Policies, where);
            RestoreMounts(target, ns.Mounts, where);
        }

        core.Tokens.CreateRoot(core.Root, state.RootToken);
        return new OpenBaoStartup(core, new OpenBaoIdentity(state.RootToken, state.RoleId, state.SecretId), state.Port);
    }

    private static MountState? Capture(Mount mount) => mount.Backend switch
    {
        TransitBackend transit => Describe(mount) with { TransitKeys = transit.SaveKeys() },
        AppRoleBackend appRole => Describe(mount) with { AppRole = appRole.Save() },
        // sys/ and auth/token/ are built into every namespace and keep no state of their own.
        _ => null,
    };

    private static MountState Describe(Mount mount) => new()
    {
        Path = mount.Path,
        Type = mount.Type,
        Description = mount.Description,
        Accessor = mount.Accessor,
        Uuid = mount.Uuid,
    };

    private static void RestorePolicies(VaultNamespace target, IReadOnlyList<PolicyState> policies, string where)
    {
        foreach (var (policy, index) in policies.Select((p, i) => (p, i)))
        {
            var name = PolicyStore.Normalize(policy.Name);
            if (name.Length == 0 || name == AclPolicy.Root.Name)
            {
                throw new InvalidDataException($"{where}.policies[{index}]: an empty name or \"root\"");
            }

            try
            {
                target.Policies.Set(PolicyParser.Parse(name, policy.Text));
            }
            catch (FormatException)
            {
                throw new InvalidDataException($"{where}.policies[{index}]: the policy text does not parse");
            }
        }
    }

    private static void RestoreMounts(VaultNamespace target, IReadOnlyList<MountState> mounts, string where)
    {
        foreach (var (mount, index) in mounts.Select((m, i) => (m, i)))
        {
            var here = $"{where}.mounts[{index}]";
            if (!mount.Path.EndsWith('/') || target.MountAt(mount.Path) is not null)
            {
                throw new InvalidDataException($"{here}: a path without a trailing slash, or used twice");
            }

            var isAuth = mount.Path.StartsWith("auth/", StringComparison.Ordinal);
            IVaultBackend backend;
            try
            {
                backend = mount.Type switch
                {
                    "transit" when !isAuth && mount.TransitKeys is { } keys => Transit(keys),
                    "approle" when isAuth && mount.AppRole is { } appRole => AppRole(appRole),
                    _ => throw new InvalidDataException(
                        "neither a transit mount with transit_keys nor an approle mount under auth/ with app_role"),
                };
            }
            catch (InvalidDataException error)
            {
                throw new InvalidDataException($"{here}: {error.Message}");
            }

            target.AddMount(new Mount(mount.Path, backend, mount.Description, mount.Accessor, mount.Uuid));
        }
    }

    private static TransitBackend Transit(IReadOnlyList<TransitKeyState> keys)
    {
        var backend = new TransitBackend();
        backend.RestoreKeys(keys);
        return backend;
    }

    private static AppRoleBackend AppRole(AppRoleState state)
    {
        var backend = new AppRoleBackend();
        backend.Restore(state);
        return backend;
    }
}
