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

    public KeystoreSettings(ImmutableDictionary<string, string> values, KeystoreContext? context = null)
    {
        Values = values;
        Context = context;
    }

    public ImmutableDictionary<string, string> Values { get; }

    /// <summary>
    /// Which keystore and tenant these settings belong to, set by Core when it hands stored settings to a plugin (Test
    /// Connection, connections, activation); <c>null</c> for settings not yet saved (permission guidance, validation).
    /// Plugins use it to name themselves to the keystore, e.g. the AWS role session name.
    /// </summary>
    public KeystoreContext? Context { get; }

    public KeystoreSettings WithContext(KeystoreContext context) => new(Values, context);

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
        new(string.IsNullOrEmpty(value) ? Values.Remove(name) : Values.SetItem(name, value), Context);
}

/// <summary>The saved keystore that settings belong to (see <see cref="KeystoreSettings.Context"/>).</summary>
/// <param name="KeystoreId">The keystore's id.</param>
/// <param name="KeystoreName">The seed's <c>plugin_name</c>.</param>
/// <param name="TenantId">The owning tenant's id.</param>
/// <param name="TenantName">The owning tenant's name (lower-case letters, digits, hyphens).</param>
public sealed record KeystoreContext(Guid KeystoreId, string KeystoreName, Guid TenantId, string TenantName);
