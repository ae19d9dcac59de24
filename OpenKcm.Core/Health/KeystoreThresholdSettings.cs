using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Health;

/// <summary>A keystore's health thresholds: the plugin's defaults, the administrator's overrides, and what applies. Immutable.</summary>
public sealed record KeystoreThresholdSettings
{
    public required Guid KeystoreId { get; init; }

    /// <summary>The plugin's <see cref="PluginDescriptor.DefaultThresholds"/> for the keystore's type.</summary>
    public required HealthThresholds Defaults { get; init; }

    /// <summary>The stored override; null: the defaults apply.</summary>
    public HealthThresholds? Overrides { get; init; }

    /// <summary>When the override was last saved; null when there is none.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>The console-wide probe interval used when a threshold set leaves <see cref="HealthThresholds.ProbeInterval"/> empty.</summary>
    public required TimeSpan ConsoleProbeInterval { get; init; }

    /// <summary>The console-wide degraded probe interval used when <see cref="HealthThresholds.DegradedProbeInterval"/> is empty.</summary>
    public required TimeSpan ConsoleDegradedProbeInterval { get; init; }

    /// <summary>What the monitor judges the keystore by.</summary>
    public HealthThresholds Effective => Overrides ?? Defaults;
}
