namespace OpenKcm.Sandbox.OpenBao.Policies;

/// <summary>Converts between capability names in policies and <see cref="Capabilities"/>.</summary>
internal static class CapabilityNames
{
    private static readonly Dictionary<string, Capabilities> s_byName = new(StringComparer.Ordinal)
    {
        ["deny"] = Capabilities.Deny,
        ["create"] = Capabilities.Create,
        ["read"] = Capabilities.Read,
        ["update"] = Capabilities.Update,
        ["delete"] = Capabilities.Delete,
        ["list"] = Capabilities.List,
        ["sudo"] = Capabilities.Sudo,
        ["patch"] = Capabilities.Patch,
        ["subscribe"] = Capabilities.Subscribe,
    };

    public static bool TryParse(string name, out Capabilities capability) => s_byName.TryGetValue(name, out capability);

    /// <summary>Sorted names, as <c>sys/capabilities-self</c> answers; no capability at all is <c>deny</c>.</summary>
    public static List<string> Describe(Capabilities capabilities)
    {
        if (capabilities == Capabilities.None || capabilities.HasFlag(Capabilities.Deny))
        {
            return ["deny"];
        }

        return s_byName.Where(pair => capabilities.HasFlag(pair.Value))
            .Select(pair => pair.Key)
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
