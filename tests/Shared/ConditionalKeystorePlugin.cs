using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Tests.Shared;

/// <summary>
/// A plugin that only describes fields (no keystore behind it): a choice <c>credential_source</c>
/// (<c>access_keys</c> | <c>default_chain</c>), the conditional <c>access_key_id</c> and <c>secret_access_key</c> that
/// apply only with <c>access_keys</c>, and an optional multi-line secret <c>client_key</c>. For tests of
/// <see cref="ConfigField.ShownWhen"/> and <see cref="FieldType.SecretPem"/> in Core and in the wizard.
/// </summary>
internal sealed class ConditionalKeystorePlugin : IKeystorePlugin
{
    public PluginDescriptor Descriptor { get; } = new()
    {
        Kind = "conditional",
        DisplayName = "Conditional",
        Description = "Test double with conditional fields.",
        Fields =
        [
            new ConfigField { Name = "credential_source", Label = "Credential source", Type = FieldType.Choice, Required = true, Choices = ["access_keys", "default_chain"] },
            new ConfigField
            {
                Name = "access_key_id", Label = "Access key ID", Type = FieldType.Text, Required = true,
                ShownWhen = new FieldCondition("credential_source", ["access_keys"]),
            },
            new ConfigField
            {
                Name = "secret_access_key", Label = "Secret access key", Type = FieldType.Secret, Required = true,
                ShownWhen = new FieldCondition("credential_source", ["access_keys"]),
            },
            new ConfigField { Name = "client_key", Label = "Client key", Type = FieldType.SecretPem },
        ],
        Checks = [],
        DefaultThresholds = new HealthThresholds { WarningLatency = TimeSpan.FromMilliseconds(100) },
    };

    public IReadOnlyList<FieldError> Validate(KeystoreSettings settings, IReadOnlySet<string> secretsSet) => [];

    public PermissionGuidance GetPermissionGuidance(KeystoreSettings settings) => new() { Summary = "none", Blocks = [] };

    public IAsyncEnumerable<CheckResult> TestConnectionAsync(KeystoreSettings settings, ISecretResolver secrets, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Describes fields only.");

    public Task<IKeystoreConnection> ConnectAsync(KeystoreSettings settings, ISecretResolver secrets, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Describes fields only.");
}
