using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Keystores;

/// <summary>
/// Input for <see cref="KeystoreService.CreateDraftAsync"/>: what the wizard's form (or a JSON import) collected.
/// The caller owns and disposes the <see cref="Secrets"/>.
/// </summary>
public sealed class KeystoreDraft
{
    public required Guid TenantId { get; init; }

    /// <summary>The seed's <c>plugin_type</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The seed's <c>plugin_name</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Non-secret values by field name.</summary>
    public KeystoreSettings Settings { get; init; } = KeystoreSettings.Empty;

    /// <summary>Secret values by field name; blank values are ignored.</summary>
    public IReadOnlyDictionary<string, SecretValue> Secrets { get; init; } = new Dictionary<string, SecretValue>();
}
