using System.Runtime.CompilerServices;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Tests.TestSupport;

/// <summary>
/// A hand-written plugin with one field of every type. Test Connection really resolves the <c>api_key</c> secret:
/// "good…" passes, "warn…" warns, anything else fails authentication (and the rest is skipped).
/// </summary>
public sealed class FakeKeystorePlugin : IKeystorePlugin
{
    public const string Kind = "fake_kms";

    public PluginDescriptor Descriptor { get; } = new()
    {
        Kind = Kind,
        DisplayName = "Fake KMS",
        Description = "Test double",
        Fields =
        [
            new ConfigField { Name = "endpoint", Label = "Endpoint", Type = FieldType.Url, Required = true },
            new ConfigField { Name = "region", Label = "Region", Type = FieldType.Text, Required = true },
            new ConfigField { Name = "slot_id", Label = "Slot", Type = FieldType.Integer },
            new ConfigField { Name = "hosts", Label = "Hosts", Type = FieldType.StringList },
            new ConfigField { Name = "auth_method", Label = "Auth method", Type = FieldType.Choice, Choices = ["approle", "token"] },
            new ConfigField { Name = "api_key", Label = "API key", Type = FieldType.Secret, Required = true },
            new ConfigField { Name = "client_key", Label = "Client key", Type = FieldType.Secret },
        ],
        Checks =
        [
            new CheckDefinition("reach", "Reach", "The endpoint answers."),
            new CheckDefinition("authenticate", "Authenticate", "The API key is accepted."),
            new CheckDefinition("wrap", "Wrap", "A test key wraps and unwraps."),
        ],
        DefaultThresholds = new HealthThresholds { WarningLatency = TimeSpan.FromMilliseconds(100) },
    };

    /// <summary>Runs inside <see cref="Validate"/>: lets a test change the database between a command's read and its write.</summary>
    public Action? DuringValidate { get; set; }

    public IReadOnlyList<FieldError> Validate(KeystoreSettings settings, IReadOnlySet<string> secretsSet)
    {
        DuringValidate?.Invoke();
        return settings.Get("region") == "nowhere" ? [new FieldError("region", "No such region.")] : [];
    }

    public PermissionGuidance GetPermissionGuidance(KeystoreSettings settings) =>
        new() { Summary = "none", Blocks = [] };

    public async IAsyncEnumerable<CheckResult> TestConnectionAsync(
        KeystoreSettings settings, ISecretResolver secrets, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new CheckResult("reach", CheckOutcome.Passed, TimeSpan.FromMilliseconds(3), "Reached " + settings.Get("endpoint"));
        using var key = await secrets.GetAsync("api_key", cancellationToken);
        var value = key?.Reveal() ?? "";
        if (value.StartsWith("good", StringComparison.Ordinal))
        {
            yield return new CheckResult("authenticate", CheckOutcome.Passed, TimeSpan.FromMilliseconds(5), "Accepted.");
        }
        else if (value.StartsWith("warn", StringComparison.Ordinal))
        {
            yield return new CheckResult("authenticate", CheckOutcome.Warning, TimeSpan.FromMilliseconds(5), "Accepted; expires soon.", "Rotate it.");
        }
        else
        {
            yield return new CheckResult("authenticate", CheckOutcome.Failed, TimeSpan.FromMilliseconds(5), "Rejected.", "Check the API key.")
            {
                ErrorKind = KeystoreErrorKind.AuthenticationFailed,
            };
            yield return new CheckResult("wrap", CheckOutcome.Skipped, TimeSpan.Zero, "Skipped: authentication failed.");
            yield break;
        }

        yield return new CheckResult("wrap", CheckOutcome.Passed, TimeSpan.FromMilliseconds(7), "Wrapped and unwrapped 32 bytes.");
    }

    public Task<IKeystoreConnection> ConnectAsync(KeystoreSettings settings, ISecretResolver secrets, CancellationToken cancellationToken) =>
        throw new KeystoreException(KeystoreErrorKind.Unreachable, "The fake plugin has no connections.");
}
