using System.Collections.Immutable;
using System.Globalization;

namespace OpenKcm.Core.Plugins;

/// <summary>
/// The non-secret configuration values of one keystore version, keyed by field name, as strings
/// (<see cref="FieldType.StringList"/> values one item per line). Secret values are never in here.
/// Immutable and safe to share.
/// </summary>
public sealed class KeystoreSettings
{
    public static readonly KeystoreSettings Empty = new(ImmutableDictionary<string, string>.Empty);

    public KeystoreSettings(ImmutableDictionary<string, string> values) => Values = values;

    public ImmutableDictionary<string, string> Values { get; }

    /// <summary>The trimmed value, or null when absent or blank.</summary>
    public string? Get(string name) =>
        Values.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    public int? GetInt(string name) =>
        int.TryParse(Get(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null;

    public ImmutableArray<string> GetList(string name) =>
        Get(name) is { } v
            ? [.. v.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
            : [];

    public KeystoreSettings With(string name, string? value) =>
        new(string.IsNullOrEmpty(value) ? Values.Remove(name) : Values.SetItem(name, value));
}
