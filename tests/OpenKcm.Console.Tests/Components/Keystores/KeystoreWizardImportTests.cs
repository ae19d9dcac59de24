using Bunit;
using OpenKcm.Core.Keystores;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary>Import JSON on the Configuration step, in the seed's <c>plugin_type / plugin_name / configuration</c> shape.</summary>
public sealed class KeystoreWizardImportTests : ScriptedWizardTestContext
{
    private const string SeedJson = """
        {
          "plugin_type": "scripted_kms",
          "plugin_name": "imported_kms",
          "configuration": {
            "region": "ap-south-1",
            "endpoint": "https://kms.ap.example.test",
            "tier": "premium",
            "api_key": "imported-key-5be1"
          }
        }
        """;

    private static async Task ImportAsync(KeystoreWizardPage page, string json)
    {
        if (!page.HasButton("Apply import"))
        {
            await page.ClickAsync("Import JSON");
        }

        await page.FillAsync("import-json", json);
        await page.ClickAsync("Apply import");
    }

    /// <summary>What the form shows, field by field (the tier drop-down keeps its value in its hidden input).</summary>
    private static Dictionary<string, string> FormValues(KeystoreWizardPage page) => new()
    {
        ["plugin_name"] = page.Value("plugin_name"),
        ["region"] = page.Value("region"),
        ["endpoint"] = page.Value("endpoint"),
        ["tier"] = page.Value("tier"),
    };

    [Fact]
    public async Task Import_ButtonClicked_OpensALabelledPanel()
    {
        var page = await OpenConfigurationStepAsync();
        Assert.Equal("false", page.Button("Import JSON").GetAttribute("aria-expanded"));

        await page.ClickAsync("Import JSON");

        Assert.Equal("true", page.Button("Import JSON").GetAttribute("aria-expanded"));
        Assert.Equal("import-panel", page.Button("Import JSON").GetAttribute("aria-controls"));
        Assert.NotNull(page.Component.Find("#import-panel"));
        Assert.StartsWith("Configuration JSON", page.Component.Find("label[for=import-json]").TextContent);
        Assert.Equal("TEXTAREA", Assert.Single(page.Component.FindAll("[id=import-json]")).TagName);
    }

    [Fact]
    public async Task Import_SeedShape_FillsTheFormAndClosesThePanel()
    {
        var page = await OpenConfigurationStepAsync();

        await ImportAsync(page, SeedJson);

        Assert.Empty(page.ImportErrors);
        Assert.False(page.HasButton("Apply import"));
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["plugin_name"] = "imported_kms",
                ["region"] = "ap-south-1",
                ["endpoint"] = "https://kms.ap.example.test",
                ["tier"] = "premium",
            },
            FormValues(page));
    }

    [Fact]
    public async Task Import_SeedShapeThenSave_SavesTheImportedValuesAndSecret()
    {
        var page = await OpenConfigurationStepAsync();
        await ImportAsync(page, SeedJson);

        await page.NextAsync();

        Assert.Equal("Permissions", page.CurrentStep);
        var keystore = Assert.Single(await Keystores.ListAsync(null, CancellationToken.None));
        Assert.Equal("imported_kms", keystore.Name);
        var version = await CurrentVersionAsync(keystore.Id);
        Assert.Equal("ap-south-1", version.Settings.Get("region"));
        Assert.Equal(["api_key"], version.SecretVersions.Keys);
        Assert.DoesNotContain("imported-key-5be1", page.Markup);
    }

    [Fact]
    public async Task Import_UnknownFieldAndWrongType_ShowsErrorsNamingThemAndChangesNothing()
    {
        var page = await OpenConfigurationStepAsync();
        await page.FillValidConfigurationAsync(Name, Region, ApiKey);
        var before = FormValues(page);

        await ImportAsync(page, """
            {"plugin_type": "scripted_kms", "plugin_name": "imported_kms",
             "configuration": {"regoin": "ap-south-1", "endpoint": 443}}
            """);

        var errors = page.ImportErrors;
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("regoin: Unknown field 'regoin' for Scripted KMS (scripted_kms).", StringComparison.Ordinal));
        Assert.Contains("endpoint: 'endpoint' must be a JSON string; found a number.", errors);
        Assert.Equal(before, FormValues(page));
        Assert.True(page.HasButton("Apply import"));
        Assert.Empty(await Keystores.ListAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task Import_UnknownPluginType_NamesTheRegisteredTypes()
    {
        var page = await OpenConfigurationStepAsync();

        await ImportAsync(page, """{"plugin_type": "aws_kms", "plugin_name": "imported_kms", "configuration": {}}""");

        Assert.Equal(["plugin_type: Unknown plugin_type 'aws_kms'. Registered types: scripted_kms."], page.ImportErrors);
        Assert.Equal("", page.Value("plugin_name"));
    }

    [Fact]
    public async Task Import_NotJson_NamesThePositionNotTheInput()
    {
        var page = await OpenConfigurationStepAsync();

        await ImportAsync(page, "{\"plugin_type\": \"scripted_kms\", \"api_key\": \"leaked-7d1e\"");

        var error = Assert.Single(page.ImportErrors);
        Assert.StartsWith("$: This is not valid JSON (line 1, position", error);
        Assert.DoesNotContain("leaked-7d1e", error);
    }

    [Fact]
    public async Task Import_IntoASavedKeystoreUnderAnotherName_IsRefused()
    {
        var page = await SaveValidDraftAsync();
        await page.BackAsync();

        await ImportAsync(page, SeedJson);

        Assert.Equal([$"plugin_name: this keystore is named {Name}; an import cannot rename it."], page.ImportErrors);
        Assert.Equal(Region, page.Value("region"));
        Assert.Equal(KeystoreState.Draft, Assert.Single(await Keystores.ListAsync(null, CancellationToken.None)).State);
    }
}
