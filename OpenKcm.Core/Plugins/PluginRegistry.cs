using System.Collections.Frozen;

namespace OpenKcm.Core.Plugins;

/// <summary>The registered keystore plugins, by kind. Singleton; immutable after construction.</summary>
public sealed class PluginRegistry
{
    private readonly FrozenDictionary<string, IKeystorePlugin> _byKind;

    public PluginRegistry(IEnumerable<IKeystorePlugin> plugins)
    {
        var list = plugins.ToList();
        var duplicate = list.GroupBy(p => p.Descriptor.Kind).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two plugins register the kind '{duplicate.Key}'.");
        }

        _byKind = list.ToFrozenDictionary(p => p.Descriptor.Kind, StringComparer.Ordinal);
        All = [.. list.OrderBy(p => p.Descriptor.DisplayName, StringComparer.Ordinal)];
    }

    /// <summary>Plugins ordered by display name.</summary>
    public IReadOnlyList<IKeystorePlugin> All { get; }

    public IKeystorePlugin? Find(string kind) => _byKind.GetValueOrDefault(kind);

    public IKeystorePlugin Get(string kind) =>
        Find(kind) ?? throw new InvalidOperationException($"No keystore plugin is registered for kind '{kind}'.");
}
