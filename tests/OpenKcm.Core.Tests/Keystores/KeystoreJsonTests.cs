using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.TestSupport;

namespace OpenKcm.Core.Tests.Keystores;

public sealed class KeystoreJsonTests
{
    private readonly PluginRegistry _registry = new([new FakeKeystorePlugin()]);

    [Fact]
    public void Parse_SeedShape_ReturnsKindNameSettingsAndSecrets()
    {
        const string json = """
            {
              "plugin_type": "fake_kms",
              "plugin_name": "primary_fake_kms",
              "configuration": {
                "endpoint": "https://kms.example.test",
                "region": "us-east-1",
                "slot_id": 1,
                "hosts": ["192.168.1.100", "192.168.1.101"],
                "api_key": "fortanix_api_key_encrypted_blob"
              }
            }
            """;

        using var result = KeystoreJson.Parse(json, _registry);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        Assert.Equal(("fake_kms", "primary_fake_kms"), (result.Kind, result.Name));
        Assert.Equal("1", result.Settings.Get("slot_id"));
        Assert.Equal<string>(["192.168.1.100", "192.168.1.101"], result.Settings.GetList("hosts"));
        Assert.False(result.Settings.Values.ContainsKey("api_key"));
        Assert.Equal("fortanix_api_key_encrypted_blob", result.Secrets["api_key"].Reveal());
    }

    [Fact]
    public void Parse_UnknownFields_NamesEachOfThem()
    {
        const string json = """
            {"plugin_type": "fake_kms", "plugin_name": "x_kms", "colour": "blue",
             "configuration": {"region": "us-east-1", "vault_adress": "https://x", "kms_key": "k"}}
            """;

        using var result = KeystoreJson.Parse(json, _registry);

        Assert.False(result.Succeeded);
        Assert.Equal(["colour", "kms_key", "vault_adress"], result.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.Contains("Known fields: endpoint, region", result.Errors.Single(e => e.Field == "kms_key").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WrongTypes_NamesEachFieldAndTheExpectedType()
    {
        const string json = """
            {"plugin_type": "fake_kms", "plugin_name": "x_kms",
             "configuration": {"hosts": "192.168.1.100", "slot_id": "1", "region": 5, "endpoint": ["https://x"],
                               "api_key": 12345, "auth_method": null}}
            """;

        using var result = KeystoreJson.Parse(json, _registry);

        var errors = result.Errors.ToDictionary(e => e.Field, e => e.Message);
        Assert.Equal(["api_key", "auth_method", "endpoint", "hosts", "region", "slot_id"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("JSON array of strings", errors["hosts"], StringComparison.Ordinal);
        Assert.Contains("JSON number", errors["slot_id"], StringComparison.Ordinal);
        Assert.Contains("JSON string; found a number", errors["region"], StringComparison.Ordinal);
        Assert.Contains("JSON string; found an array", errors["endpoint"], StringComparison.Ordinal);
        Assert.DoesNotContain("12345", errors["api_key"], StringComparison.Ordinal);
        Assert.Empty(result.Secrets);
    }

    [Fact]
    public void Parse_ListWithANonString_IsAWrongType()
    {
        using var result = KeystoreJson.Parse("""{"plugin_type":"fake_kms","plugin_name":"x_kms","configuration":{"hosts":["a",1]}}""", _registry);

        Assert.Equal("hosts", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void Parse_FractionalInteger_IsAWrongType()
    {
        using var result = KeystoreJson.Parse("""{"plugin_type":"fake_kms","plugin_name":"x_kms","configuration":{"slot_id":1.5}}""", _registry);

        Assert.Equal("slot_id", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void Parse_UnknownPluginType_ListsTheRegisteredTypes()
    {
        using var result = KeystoreJson.Parse("""{"plugin_type":"hashicorp","plugin_name":"x_kms","configuration":{}}""", _registry);

        var error = Assert.Single(result.Errors);
        Assert.Equal("plugin_type", error.Field);
        Assert.Contains("'hashicorp'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Registered types: fake_kms", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingParts_NamesEachMissingProperty()
    {
        using var result = KeystoreJson.Parse("{}", _registry);

        Assert.Equal(["configuration", "plugin_name", "plugin_type"], result.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Parse_InvalidJson_GivesThePositionButNotTheContent()
    {
        using var result = KeystoreJson.Parse("{\"plugin_type\": \"fake_kms\",\n \"api_key\": sup3rs3cret}", _registry);

        var error = Assert.Single(result.Errors);
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sup3rs3cret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SecretInvalidElsewhere_DisposesTheSecretsItRead()
    {
        using var result = KeystoreJson.Parse(
            """{"plugin_type":"fake_kms","plugin_name":"x_kms","configuration":{"api_key":"k","slot_id":"x"}}""", _registry);

        Assert.False(result.Succeeded);
        Assert.Empty(result.Secrets);
    }
}
