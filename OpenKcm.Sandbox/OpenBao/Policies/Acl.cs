using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Policies;

/// <summary>
/// The combined ACL of a token's policies. Rules for the same path are merged (deny wins); an exact rule beats every
/// wildcard rule; among matching wildcard rules the most specific one decides (<see cref="PathRule.ComparePriority"/>).
/// </summary>
internal sealed class Acl
{
    private readonly Dictionary<string, PathRule> _exact = new(StringComparer.Ordinal);
    private readonly List<PathRule> _wildcards = [];

    public Acl(IEnumerable<AclPolicy> policies)
    {
        var merged = new Dictionary<string, PathRule>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            IsRoot |= policy.IsRoot;
            foreach (var rule in policy.Rules)
            {
                merged[rule.Pattern] = merged.TryGetValue(rule.Pattern, out var existing)
                    ? existing.WithCapabilities(Merge(existing.Capabilities, rule.Capabilities))
                    : rule;
            }
        }

        foreach (var rule in merged.Values)
        {
            if (rule.IsExact)
            {
                _exact[rule.Pattern] = rule;
            }
            else
            {
                _wildcards.Add(rule);
            }
        }
    }

    public bool IsRoot { get; }

    public Capabilities CapabilitiesOf(string path)
    {
        if (_exact.TryGetValue(path, out var exact)
            || (path.EndsWith('/') && _exact.TryGetValue(path.TrimEnd('/'), out exact)))
        {
            return exact.Capabilities;
        }

        PathRule? best = null;
        foreach (var rule in _wildcards)
        {
            if (rule.Matches(path) && (best is null || rule.ComparePriority(best) > 0))
            {
                best = rule;
            }
        }

        return best?.Capabilities ?? Capabilities.None;
    }

    public bool Allows(string path, VaultOperation operation, bool requiresSudo)
    {
        if (IsRoot)
        {
            return true;
        }

        var capabilities = CapabilitiesOf(path);
        if (capabilities.HasFlag(Capabilities.Deny) || (requiresSudo && !capabilities.HasFlag(Capabilities.Sudo)))
        {
            return false;
        }

        return capabilities.HasFlag(operation switch
        {
            VaultOperation.Read => Capabilities.Read,
            VaultOperation.List => Capabilities.List,
            VaultOperation.Create => Capabilities.Create,
            VaultOperation.Update => Capabilities.Update,
            _ => Capabilities.Delete,
        });
    }

    private static Capabilities Merge(Capabilities left, Capabilities right) =>
        (left | right).HasFlag(Capabilities.Deny) ? Capabilities.Deny : left | right;
}
