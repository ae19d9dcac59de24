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

    /// <summary>Secret values live only in the credential vault and are never sent back to the browser.</summary>
    public bool IsSecret => Type == FieldType.Secret;
}
