using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Core.Keystores;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary>The Configuration step: one labelled input per descriptor field, validation, and the saved draft.</summary>
public sealed class KeystoreWizardConfigurationStepTests : ScriptedWizardTestContext
{
    private Task<IReadOnlyList<KeystoreInfo>> ListKeystoresAsync() => Keystores.ListAsync(null, CancellationToken.None);

    [Fact]
    public async Task ConfigurationStep_OnlyOnePluginRegistered_IsChosenForTheUser()
    {
        var page = RenderNewWizard();

        Assert.Equal("true", page.Component.Find("[role=radio]").GetAttribute("aria-checked"));
        await page.NextAsync();

        Assert.Equal("Configuration", page.CurrentStep);
        Assert.Equal("Configure Scripted KMS", page.Component.Find("#step-config").TextContent);
    }

    [Fact]
    public async Task ConfigurationStep_Rendered_OneLabelledInputPerDescriptorField()
    {
        var page = await OpenConfigurationStepAsync();

        foreach (var field in Plugin.Descriptor.Fields)
        {
            var label = page.Component.Find($"label[for={field.Name}]");
            Assert.Equal(field.Required ? field.Label : $"{field.Label} (optional)", label.TextContent);
            var control = Assert.Single(page.Component.FindAll($"[id={field.Name}]"));
            Assert.Equal("INPUT", control.TagName);
            Assert.Equal(field.Name, control.GetAttribute("name"));
        }

        Assert.Equal(
            ["plugin_name", "region", "endpoint", "tier", "api_key"],
            page.Component.FindAll(".form-grid input[name]:not([name=tenant])").Select(i => i.GetAttribute("name")));
        Assert.Equal("password", page.Field("api_key").GetAttribute("type"));
        Assert.Equal("new-password", page.Field("api_key").GetAttribute("autocomplete"));
        Assert.Equal(ScriptedKeystorePlugin.DefaultEndpoint, page.Value("endpoint"));
        Assert.Equal("region-help region-error", page.Field("region").GetAttribute("aria-describedby"));
        Assert.Equal("Where the key lives.", page.Component.Find("#region-help").TextContent);
    }

    [Theory]
    [InlineData("tenant", "Tenant")]
    [InlineData("tier", "Tier (optional)")]
    public async Task ConfigurationStep_DropDown_IsNamedByItsLabelAndHasUniqueIds(string name, string labelText)
    {
        var page = await OpenConfigurationStepAsync();

        var label = page.Component.Find($"label[for={name}]");
        Assert.Equal(labelText, label.TextContent);
        Assert.Single(page.Component.FindAll($"[id={name}]"));
        var combobox = page.Component.FindAll("[role=combobox]").Single(c => c.QuerySelector($"input[name={name}]") is not null);
        Assert.Equal(label.Id, combobox.GetAttribute("aria-labelledby"));
        Assert.Contains($"{name}-error", combobox.GetAttribute("aria-describedby")!.Split(' '));
    }

    [Fact]
    public async Task ConfigurationStep_InvalidInput_ShowsErrorsNextToTheFieldsAndSavesNothing()
    {
        var page = await OpenConfigurationStepAsync();
        await page.FillAsync("plugin_name", "Primary KMS!");
        await page.FillAsync("endpoint", "kms.example.test");

        await page.NextAsync();

        Assert.Equal("Configuration", page.CurrentStep);
        Assert.Equal("Correct the highlighted fields to continue.", page.StepError);
        Assert.StartsWith("Use 3 to 64 lower-case letters", page.FieldError("plugin_name"));
        Assert.Equal("Region is required.", page.FieldError("region"));
        Assert.Equal("Endpoint must be an absolute http(s) URL.", page.FieldError("endpoint"));
        Assert.Equal("API key is required.", page.FieldError("api_key"));
        Assert.Equal("", page.FieldError("tier"));
        Assert.Equal("alert", page.Component.Find("#region-error").GetAttribute("role"));
        Assert.Empty(await ListKeystoresAsync());
    }

    [Fact]
    public async Task ConfigurationStep_PluginRuleBroken_ShowsThePluginsMessageAndSavesNothing()
    {
        var page = await OpenConfigurationStepAsync();
        await page.FillValidConfigurationAsync(Name, "nowhere", ApiKey);

        await page.NextAsync();

        Assert.Equal("Configuration", page.CurrentStep);
        Assert.Equal("No such region.", page.FieldError("region"));
        Assert.Equal("", page.FieldError("plugin_name"));
        Assert.Empty(await ListKeystoresAsync());
    }

    [Fact]
    public async Task ConfigurationStep_FieldCorrected_ItsErrorGoesAway()
    {
        var page = await OpenConfigurationStepAsync();
        await page.NextAsync();

        await page.FillAsync("region", Region);

        Assert.Equal("", page.FieldError("region"));
        Assert.Equal("API key is required.", page.FieldError("api_key"));
    }

    [Fact]
    public async Task ConfigurationStep_NameTakenInTheTenant_ShowsTheServicesErrorAndSavesNothingMore()
    {
        var existing = await CreateDraftAsync();
        var page = await OpenConfigurationStepAsync();
        await page.FillValidConfigurationAsync(Name, Region, ApiKey);

        await page.NextAsync();

        Assert.Equal("Configuration", page.CurrentStep);
        Assert.Equal($"Tenant 'default' already has a keystore named '{Name}'.", page.FieldError("plugin_name"));
        Assert.Equal([existing.Id], (await ListKeystoresAsync()).Select(k => k.Id));
    }

    [Fact]
    public async Task ConfigurationStep_ValidInput_SavesDraftVersion1AndShowsTheGuidance()
    {
        var page = await SaveValidDraftAsync();

        var keystore = Assert.Single(await ListKeystoresAsync());
        Assert.Equal((Name, DefaultTenant.Id, ScriptedKeystorePlugin.DefaultKind, KeystoreState.Draft, 1, (int?)null),
            (keystore.Name, keystore.TenantId, keystore.Kind, keystore.State, keystore.CurrentVersion, keystore.ActiveVersion));
        var version = await CurrentVersionAsync(keystore.Id);
        Assert.Equal(
            new Dictionary<string, string> { ["region"] = Region, ["endpoint"] = ScriptedKeystorePlugin.DefaultEndpoint, ["tier"] = ScriptedKeystorePlugin.DefaultTier },
            version.Settings.Values);
        Assert.Equal(["api_key"], version.SecretVersions.Keys);
        Assert.Null(version.TestOutcome);

        Assert.Equal($"http://localhost/keystores/{keystore.Id}/setup", Services.GetRequiredService<NavigationManager>().Uri);
        Assert.Equal($"Let the console use the key in {Region}.", page.Component.Find("section[aria-labelledby=step-permissions] > p").TextContent);
        Assert.Equal(["Key policy", "Commands"], page.GuidanceTitles);
        Assert.Equal($"kms grant --region {Region} console", page.Component.FindAll(".guidance-block pre code")[1].TextContent);
    }

    [Fact]
    public async Task ConfigurationStep_SavedAndTheRouterPassesTheNewAddress_StaysOnPermissionsWithTypeNameAndTenantLocked()
    {
        var page = await SaveValidDraftAsync();
        var id = Assert.Single(await ListKeystoresAsync()).Id;

        // What the router does after the wizard's NavigateTo to keystores/{id}/setup: the same page component gets
        // the new parameter (bunit has no router).
        page.Component.Render(p => p.Add(w => w.KeystoreId, id));

        Assert.Equal("Permissions", page.CurrentStep);
        Assert.Equal($"Set up {Name}", page.Component.Find("h1").TextContent);
        await page.BackAsync();
        Assert.True(page.Field("plugin_name").HasAttribute("disabled"));
        Assert.Equal("true", page.Component.Find("[role=combobox][aria-labelledby=tenant-label]").GetAttribute("aria-disabled"));
        await page.BackAsync();
        Assert.Equal("true", page.Component.Find("[role=radiogroup]").GetAttribute("aria-disabled"));
    }

    [Fact]
    public async Task ConfigurationStep_SecretTyped_IsNeverRenderedBackOnceSaved()
    {
        var page = await SaveValidDraftAsync();
        Assert.DoesNotContain(ApiKey, page.Markup);

        await page.BackAsync();
        Assert.Equal("Configuration", page.CurrentStep);
        Assert.Equal("", page.Value("api_key"));
        Assert.Equal("stored · leave blank to keep", page.Field("api_key").GetAttribute("placeholder"));
        Assert.DoesNotContain(ApiKey, page.Markup);

        await page.NextAsync();
        await page.NextAsync();
        Assert.Equal("Test Connection", page.CurrentStep);
        Plugin.PassAll();
        await page.ClickAsync("Run Test Connection");

        Assert.Equal(ApiKey, await Plugin.ResolvedApiKey.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["Reach: Passed", "Authenticate: Passed", "Wrap: Passed"], page.Checks);
        Assert.DoesNotContain(ApiKey, page.Markup);
    }

    [Fact]
    public async Task ConfigurationStep_SavedAgainUnchanged_CreatesNoNewVersion()
    {
        var page = await SaveValidDraftAsync();

        await page.BackAsync();
        await page.NextAsync();

        Assert.Equal("Permissions", page.CurrentStep);
        var keystore = Assert.Single(await ListKeystoresAsync());
        Assert.Equal(1, keystore.CurrentVersion);
    }

    [Fact]
    public async Task ConfigurationStep_ChangedAfterSave_SavesVersion2OfTheSameKeystoreKeepingTheSecret()
    {
        var page = await SaveValidDraftAsync();
        await page.BackAsync();

        await page.FillAsync("region", "eu-central-1");
        await page.NextAsync();

        Assert.Equal("Permissions", page.CurrentStep);
        var keystore = Assert.Single(await ListKeystoresAsync());
        Assert.Equal(2, keystore.CurrentVersion);
        var version = await CurrentVersionAsync(keystore.Id);
        Assert.Equal("eu-central-1", version.Settings.Get("region"));
        Assert.Equal(1, version.SecretVersions["api_key"]);
        Assert.Contains("eu-central-1", page.Component.FindAll(".guidance-block pre code")[1].TextContent);
    }
}
