using System.Collections.Immutable;

namespace OpenKcm.Core.Plugins;

/// <summary>One configuration field of a plugin, as rendered by the wizard and accepted by JSON import.</summary>
public sealed class ConfigField
{
    /// <summary>Name as in the seed JSON (<c>vault_address</c>, <c>role_id</c>, ...).</summary>
    public required string Name { get; init; }

    public required string Label { get; init; }

    public required FieldType Type { get; init; }

    public bool Required { get; init; }

    public string? Help { get; init; }

    public string? Placeholder { get; init; }

    public string? DefaultValue { get; init; }

    /// <summary>Allowed values for <see cref="FieldType.Choice"/>.</summary>
    public ImmutableArray<string> Choices { get; init; } = [];

    /// <summary>
    /// Shown (and taken into the saved configuration) only while another field has one of the given values, e.g. the
    /// AWS access key fields only while <c>credential_source</c> is <c>access_keys</c>. <c>null</c>: always shown.
    /// </summary>
    public FieldCondition? ShownWhen { get; init; }

    /// <summary>Secret values live only in the credential vault and are never sent back to the browser.</summary>
    public bool IsSecret => Type is FieldType.Secret or FieldType.SecretPem;

    /// <summary>Whether the field applies to a configuration with these values (see <see cref="ShownWhen"/>).</summary>
    public bool AppliesTo(Func<string, string?> valueOf)
    {
        ArgumentNullException.ThrowIfNull(valueOf);
        return ShownWhen is not { } condition || condition.Values.Contains(valueOf(condition.Field) ?? "", StringComparer.Ordinal);
    }
}

/// <summary>A field applies only while <paramref name="Field"/> has one of <paramref name="Values"/>.</summary>
public sealed record FieldCondition(string Field, ImmutableArray<string> Values);
