using Bunit;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary><c>/keystores/{id}/setup</c>: a draft saved earlier is picked up where it was left.</summary>
public sealed class KeystoreWizardResumeTests : ScriptedWizardTestContext
{
    private const string Endpoint = "https://kms.eu.example.test";

    private static void WaitForStep(KeystoreWizardPage page, string step) =>
        page.Component.WaitForAssertion(() => Assert.Equal(step, page.CurrentStep));

    private async Task TestWithAsync(Guid keystoreId, params CheckResult[] results)
    {
        foreach (var result in results)
        {
            await Plugin.Results.Writer.WriteAsync(result);
        }

        await foreach (var _ in Keystores.TestAsync(keystoreId, 1, Actor, CancellationToken.None))
        {
        }
    }

    [Fact]
    public async Task Resume_UntestedDraft_LandsOnPermissionsWithItsGuidance()
    {
        var draft = await CreateDraftAsync(region: "us-east-2");

        var page = RenderSetup(draft.Id);

        WaitForStep(page, "Permissions");
        Assert.Equal($"Set up {Name}", page.Component.Find("h1").TextContent);
        Assert.Equal(["Key policy", "Commands"], page.GuidanceTitles);
        Assert.Contains("us-east-2", page.Component.FindAll(".guidance-block pre code")[1].TextContent);
    }

    [Fact]
    public async Task Resume_UntestedDraft_RestoresTheSavedValuesButNeverTheSecret()
    {
        var draft = await CreateDraftAsync();
        var page = RenderSetup(draft.Id);
        WaitForStep(page, "Permissions");

        await page.BackAsync();

        Assert.Equal("Configuration", page.CurrentStep);
        Assert.Equal((Name, Region, Endpoint, "premium"),
            (page.Value("plugin_name"), page.Value("region"), page.Value("endpoint"), page.Value("tier")));
        Assert.True(page.Field("plugin_name").HasAttribute("disabled"));
        Assert.Equal("", page.Value("api_key"));
        Assert.Equal("stored · leave blank to keep", page.Field("api_key").GetAttribute("placeholder"));
        Assert.DoesNotContain(ApiKey, page.Markup);
    }

    [Fact]
    public async Task Resume_UntestedDraftSavedUnchanged_KeepsItsVersionAndStoredSecret()
    {
        var draft = await CreateDraftAsync();
        var page = RenderSetup(draft.Id);
        WaitForStep(page, "Permissions");
        await page.BackAsync();

        await page.NextAsync();

        Assert.Equal("Permissions", page.CurrentStep);
        Assert.Null(page.StepError);
        Assert.Equal(1, (await Keystores.GetAsync(draft.Id, CancellationToken.None))!.CurrentVersion);
    }

    [Fact]
    public async Task Resume_TestPassed_LandsOnActivateWithTheChecksRestored()
    {
        var draft = await CreateDraftAsync();
        Plugin.PassAll();
        await TestWithAsync(draft.Id);

        var page = RenderSetup(draft.Id);

        WaitForStep(page, "Activate");
        Assert.True(page.HasButton("Activate"));
        await page.BackAsync();
        Assert.Equal(["Reach: Passed", "Authenticate: Passed", "Wrap: Passed"], page.Checks);
    }

    [Fact]
    public async Task Resume_TestFailed_LandsOnPermissionsWithTheFailureRestored()
    {
        var draft = await CreateDraftAsync();
        await TestWithAsync(draft.Id, ScriptedKeystorePlugin.Passed("reach"),
            new CheckResult("authenticate", CheckOutcome.Failed, TimeSpan.FromMilliseconds(9), "Rejected.", "Check the API key."));

        var page = RenderSetup(draft.Id);

        WaitForStep(page, "Permissions");
        await page.NextAsync();
        Assert.Equal(["Reach: Passed", "Authenticate: Failed", "Wrap: Skipped"], page.Checks);
        await page.NextAsync();
        Assert.Equal("Test Connection", page.CurrentStep);
        Assert.Equal("Run Test Connection until every check passes before activating.", page.StepError);
    }

    [Fact]
    public void Resume_UnknownKeystore_SaysItDoesNotExist()
    {
        var page = RenderSetup(Guid.NewGuid());

        page.Component.WaitForAssertion(() => Assert.Equal(
            "This keystore does not exist (it may have been removed).",
            page.Component.Find(".rz-alert.rz-danger .rz-alert-content").TextContent.Trim()));
        Assert.Empty(page.Component.FindAll("[role=tablist]"));
    }
}
