using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Tests.Alerts;

/// <summary>A plugin that only reports expiries (what the test sets); everything else is not used by the scan.</summary>
internal sealed class ExpiringPlugin : IKeystorePlugin
{
    public const string Kind = "expiring";

    public Func<KeystoreSettings, IReadOnlyList<ExpiryItem>> Items { get; set; } = _ => [];

    public PluginDescriptor Descriptor { get; } = new()
    {
        Kind = Kind,
        DisplayName = "Expiring",
        Description = "Test double",
        Fields = [],
        Checks = [],
        DefaultThresholds = new HealthThresholds { WarningLatency = TimeSpan.FromMilliseconds(100) },
    };

    public IReadOnlyList<ExpiryItem> DescribeExpiries(KeystoreSettings settings) => Items(settings);

    public IReadOnlyList<FieldError> Validate(KeystoreSettings settings, IReadOnlySet<string> secretsSet) => [];

    public PermissionGuidance GetPermissionGuidance(KeystoreSettings settings) => new() { Summary = "None.", Blocks = [] };

    public IAsyncEnumerable<CheckResult> TestConnectionAsync(KeystoreSettings settings, ISecretResolver secrets, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Not used by the expiry scan.");

    public Task<IKeystoreConnection> ConnectAsync(KeystoreSettings settings, ISecretResolver secrets, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Not used by the expiry scan.");
}
