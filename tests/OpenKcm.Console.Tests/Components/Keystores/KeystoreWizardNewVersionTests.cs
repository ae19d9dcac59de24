using Bunit;
using OpenKcm.Core.Keystores;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary>
/// Going back and saving a changed configuration creates a new, untested version: what the later steps show must be
/// about that version, not the one tested or activated before.
/// </summary>
public sealed class KeystoreWizardNewVersionTests : ScriptedWizardTestContext
{

    private static async Task BackToConfigurationAsync(KeystoreWizardPage page)
    {
        while (page.CurrentStep != "Configuration")
        {
            await page.BackAsync();
        }
    }

    private async Task<KeystoreWizardPage> TestedAsync()
    {
        var page = await OpenTestStepAsync();
        Plugin.PassAll();
        await page.ClickAsync("Run Test Connection");
        Assert.Equal("All checks passed. This version can be activated.", page.TestSummary);
        return page;
    }

    private static async Task SaveChangedRegionAsync(KeystoreWizardPage page)
    {
        await BackToConfigurationAsync(page);
        await page.FillAsync("region", "eu-central-1");
        await page.NextAsync();
        Assert.Equal("Permissions", page.CurrentStep);
        await page.NextAsync();
        Assert.Equal("Test Connection", page.CurrentStep);
    }

    [Fact]
    public async Task TestStep_NewVersionSavedAfterAPassedTest_ShowsItUntestedWithoutTheOldSummary()
    {
        var page = await TestedAsync();

        await SaveChangedRegionAsync(page);

        Assert.Contains("(version 2)", page.Component.Find("section[aria-labelledby=step-test] p.hint").TextContent);
        Assert.Equal(["Reach: Pending", "Authenticate: Pending", "Wrap: Pending"], page.Checks);
        Assert.Null(page.TestSummary);
    }

    [Fact]
    public async Task ActivateStep_NewVersionTestedAfterAnActivation_OffersToActivateIt()
    {
        var page = await TestedAsync();
        await page.NextAsync();
        await page.ClickAsync("Activate");
        Assert.Contains("(configuration version 1)", page.Component.Find("section[aria-labelledby=step-activate] [role=status]").TextContent);
        await SaveChangedRegionAsync(page);
        Plugin.PassAll();
        await page.ClickAsync("Run Test Connection");

        await page.NextAsync();

        Assert.Equal("Activate", page.CurrentStep);
        Assert.True(page.HasButton("Activate"));
        Assert.Empty(page.Component.FindAll("pre[aria-label='Activation result']"));
        var keystore = await Keystores.GetAsync(Assert.Single(await Keystores.ListAsync(null, CancellationToken.None)).Id, CancellationToken.None);
        Assert.Equal((KeystoreState.Active, 1, 2), (keystore!.State, keystore.ActiveVersion, keystore.CurrentVersion));
    }
}
