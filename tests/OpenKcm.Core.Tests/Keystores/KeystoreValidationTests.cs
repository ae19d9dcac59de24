using System.Collections.Immutable;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Tests.Keystores;

/// <summary>Core's own rules for conditional fields (<see cref="ConfigField.ShownWhen"/>) and multi-line secrets.</summary>
public sealed class KeystoreValidationTests
{
    private static readonly ConditionalKeystorePlugin s_plugin = new();

    [Fact]
    public void Validate_ConditionMet_RequiresTheConditionalFields()
    {
        var errors = Validate(Settings(("credential_source", "access_keys")), secrets: []);

        Assert.Equal(["access_key_id", "secret_access_key"], errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.EndsWith("is required.", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ConditionNotMet_NeitherRequiresNorAcceptsTheConditionalFields()
    {
        Assert.Empty(Validate(Settings(("credential_source", "default_chain")), secrets: []));

        var errors = Validate(Settings(("credential_source", "default_chain"), ("access_key_id", "AKIAEXAMPLE")), secrets: ["secret_access_key"]);

        Assert.Equal(
            [
                ("access_key_id", "Access key ID applies only when Credential source is access_keys."),
                ("secret_access_key", "Secret access key applies only when Credential source is access_keys."),
            ],
            errors.Select(e => (e.Field, e.Message)).OrderBy(e => e.Field, StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_SecretPemGivenAsPlainSetting_IsRefused()
    {
        var errors = Validate(Settings(("credential_source", "default_chain"), ("client_key", "-----BEGIN PRIVATE KEY-----")), secrets: []);

        var error = Assert.Single(errors);
        Assert.Equal("client_key", error.Field);
        Assert.Contains("is a secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigField_SecretPem_IsSecret()
    {
        Assert.True(s_plugin.Descriptor.FindField("client_key")!.IsSecret);
        Assert.False(s_plugin.Descriptor.FindField("access_key_id")!.IsSecret);
    }

    [Fact]
    public void KeystoreSettings_With_KeepsTheContext()
    {
        var context = new KeystoreContext(Guid.NewGuid(), "primary_aws", Guid.NewGuid(), "acme");

        var settings = Settings(("region", "us-east-1")).WithContext(context).With("region", "eu-west-1");

        Assert.Equal(context, settings.Context);
        Assert.Equal("eu-west-1", settings.Get("region"));
    }

    private static List<FieldError> Validate(KeystoreSettings settings, string[] secrets) =>
        KeystoreValidation.Validate(s_plugin, settings, secrets.ToImmutableHashSet(StringComparer.Ordinal), secrets);

    private static KeystoreSettings Settings(params (string Name, string Value)[] values) =>
        new(values.ToImmutableDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal));
}
