using System.Collections.Immutable;

namespace OpenKcm.Core.Plugins;

/// <summary>Everything the wizard needs to render a keystore type; adding a vendor adds no wizard code.</summary>
public sealed class PluginDescriptor
{
    /// <summary>The seed's <c>plugin_type</c>: <c>aws_kms</c>, <c>fortanix_dsm</c>, <c>thales_luna</c>, <c>openbao</c>, <c>alibaba_kms</c>.</summary>
    public required string Kind { get; init; }

    public required string DisplayName { get; init; }

    public required string Description { get; init; }

    /// <summary>Configuration fields in display order, named as in the seed JSON.</summary>
    public required ImmutableArray<ConfigField> Fields { get; init; }

    /// <summary>The Test Connection checks in the order they run.</summary>
    public required ImmutableArray<CheckDefinition> Checks { get; init; }

    public required HealthThresholds DefaultThresholds { get; init; }

    public ConfigField? FindField(string name) => Fields.FirstOrDefault(f => f.Name == name);
}
