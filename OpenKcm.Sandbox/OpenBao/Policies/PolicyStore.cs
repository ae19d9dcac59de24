namespace OpenKcm.Sandbox.OpenBao.Policies;

/// <summary>The ACL policies of one namespace. Names are case-insensitive (stored lower case), as in Vault.</summary>
internal sealed class PolicyStore
{
    private readonly Dictionary<string, AclPolicy> _policies = new(StringComparer.Ordinal);

    public PolicyStore()
    {
        Set(PolicyParser.Parse(BuiltinPolicies.DefaultName, BuiltinPolicies.DefaultText));
    }

    /// <summary>All names including <c>root</c>, sorted, as <c>GET sys/policy</c> lists them.</summary>
    public IReadOnlyList<string> Names => _policies.Keys.Append(AclPolicy.Root.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>The stored policies (<c>default</c> and those written), without the built-in <c>root</c>.</summary>
    public IEnumerable<AclPolicy> Policies => _policies.Values.OrderBy(p => p.Name, StringComparer.Ordinal);

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();

    public AclPolicy? Get(string name)
    {
        var key = Normalize(name);
        return key == AclPolicy.Root.Name ? AclPolicy.Root : _policies.GetValueOrDefault(key);
    }

    public void Set(AclPolicy policy) => _policies[Normalize(policy.Name)] = policy;

    public bool Delete(string name) => _policies.Remove(Normalize(name));
}
