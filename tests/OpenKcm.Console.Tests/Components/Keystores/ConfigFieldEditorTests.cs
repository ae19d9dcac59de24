using System.Collections.Immutable;
using Bunit;
using OpenKcm.Console.Components.Keystores;
using OpenKcm.Console.Components.Keystores.Model;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;
using OpenKcm.Tests.Shared;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary>Conditional fields (<see cref="ConfigField.ShownWhen"/>) and write-only PEM secrets in the editor and the model.</summary>
public sealed class ConfigFieldEditorTests : ConsoleTestContext
{
    private const string Pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";

    private readonly ConditionalKeystorePlugin _plugin = new();
    private readonly KeystoreWizardModel _model = new() { Name = "primary_aws", TenantId = Guid.NewGuid() };

    public ConfigFieldEditorTests()
    {
        _model.SelectPlugin(_plugin);
    }

    private IRenderedComponent<ConfigFieldEditor> RenderField(string name) =>
        Render<ConfigFieldEditor>(p => p.Add(e => e.Field, _plugin.Descriptor.FindField(name)!).Add(e => e.Model, _model));

    [Fact]
    public void ConditionalField_ShownOnlyWhileItsConditionHolds()
    {
        _model.SetValue("credential_source", "default_chain");
        var cut = RenderField("access_key_id");
        Assert.Empty(cut.FindAll("input"));

        _model.SetValue("credential_source", "access_keys");
        cut.Render();

        var input = cut.Find("input#access_key_id");
        Assert.Equal("Access key ID", cut.Find("label[for=access_key_id]").TextContent.Trim());
        Assert.NotNull(input);
    }

    [Fact]
    public void Model_HiddenField_IsNeitherSavedNorValidated()
    {
        _model.SetValue("credential_source", "access_keys");
        _model.SetValue("access_key_id", "AKIAIOSFODNN7EXAMPLE");
        _model.SetSecretInput("secret_access_key", "typed-secret");

        _model.SetValue("credential_source", "default_chain");

        Assert.Equal(ImmutableDictionary<string, string>.Empty.Add("credential_source", "default_chain"), _model.ToSettings().Values);
        Assert.Empty(_model.SecretInputs);
        Assert.True(_model.ValidateConfiguration(), string.Join("; ", _model.Errors.Values));
    }

    [Fact]
    public void Model_StoredSecretOfAHiddenField_IsRemovedFromTheNextVersion()
    {
        _model.StoredSecrets = ImmutableHashSet.Create("secret_access_key");
        _model.SetValue("credential_source", "access_keys");
        Assert.Empty(_model.RemovedSecrets);

        _model.SetValue("credential_source", "default_chain");

        Assert.Equal(["secret_access_key"], _model.RemovedSecrets);
    }

    [Fact]
    public void SecretPem_TakesTheValueButNeverRendersItBack()
    {
        var cut = RenderField("client_key");

        cut.Find("textarea#client_key").Change(Pem);

        Assert.Equal(Pem, _model.SecretInputs["client_key"]);
        var textarea = cut.Find("textarea#client_key");
        Assert.DoesNotContain("PRIVATE KEY", cut.Markup, StringComparison.Ordinal);
        Assert.Equal("entered · stored when you save", textarea.GetAttribute("placeholder"));
    }
}
