using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// The steps every onboarding journey shares (sign in, open the wizard from Plugin Configuration, read the checks),
/// written once so each journey reads as what differs: the keystore, what is typed, what the checks say.
/// </summary>
internal sealed class KeystoreJourney(IPage page, IBrowserContext context)
{
    public KeystoreWizardPage Wizard { get; } = new(page);

    /// <summary>Signs in afresh as the bootstrapped administrator and waits for the dashboard.</summary>
    public async Task SignInAsync()
    {
        await context.ClearCookiesAsync();
        var signIn = new SignInPage(page);
        await signIn.GotoAsync();
        await signIn.SignInAsync(BootstrappedConsoleFixture.AdminEmail, BootstrappedConsoleFixture.AdminPassword);
        await new DashboardPage(page).ExpectShownAsync();
    }

    /// <summary>
    /// External Keystores → Plugin Configuration → Add New Keystore → the type → Next, up to the configuration step
    /// ("Configure {typeDisplayName}").
    /// </summary>
    public async Task OpenConfigurationAsync(string typeDisplayName)
    {
        await new ConsoleShell(page).NavLink("Plugin Configuration").ClickAsync();
        var keystores = new PluginConfigurationPage(page);
        await keystores.ExpectShownAsync();
        await keystores.AddNewKeystoreButton.ClickAsync();
        await Wizard.ExpectShownAsync();
        await Wizard.ChooseTypeAsync(typeDisplayName);
        await Wizard.ForwardButton().ClickAsync();
        await Expect(Wizard.StepHeading($"Configure {typeDisplayName}")).ToBeVisibleAsync();
    }

    /// <summary>Saves the configuration and waits for the permissions (setup) step of the new draft.</summary>
    public async Task SaveConfigurationAsync()
    {
        await Wizard.ForwardButton("Save and continue").ClickAsync();
        await Expect(Wizard.StepHeading("Set up permissions on the keystore")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/keystores/[0-9a-f-]{36}/setup$"));
    }

    /// <summary>From the permissions step: Next, Run Test Connection, and wait until the run has ended.</summary>
    public async Task RunTestConnectionAsync()
    {
        await Wizard.ForwardButton().ClickAsync();
        await Expect(Wizard.StepHeading("Test Connection")).ToBeVisibleAsync();
        await Wizard.RunTestButton.ClickAsync();
        await Expect(Wizard.TestOutcome).ToBeVisibleAsync();
    }

    /// <summary>
    /// The check list shows exactly <paramref name="expected"/>, in this order, each "{name}: {status}"; every check that
    /// ran shows its duration ("12 ms").
    /// </summary>
    public async Task ExpectChecksAsync(params (string Name, string Status)[] expected)
    {
        var rows = Wizard.Checks.GetByRole(AriaRole.Listitem);
        await Expect(rows).ToHaveCountAsync(expected.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var (name, status) = expected[i];
            await Expect(rows.Nth(i)).ToHaveAccessibleNameAsync($"{name}: {status}");
            if (status is "Passed" or "Warning" or "Failed")
            {
                await Expect(rows.Nth(i)).ToContainTextAsync(new Regex(@"(?<![\d.])\d+ ms"));
            }
        }
    }

    /// <summary>Activates the tested version and returns the activation result JSON shown on the page.</summary>
    public async Task<JsonObject> ActivateAsync(string keystoreName)
    {
        await Wizard.ForwardButton("Continue to activation").ClickAsync();
        await Wizard.ActivateButton.ClickAsync();
        await Expect(Wizard.ActivationConfirmation).ToContainTextAsync($"{keystoreName} is active for its tenant");
        await Expect(Wizard.ActivationResult).ToBeVisibleAsync();
        return JsonNode.Parse(await Wizard.ActivationResult.InnerTextAsync())!.AsObject();
    }

    /// <summary>Verify L1 key usage: a fresh L2 key wrapped and unwrapped through the active keystore.</summary>
    public async Task VerifyL1Async(string keystoreName)
    {
        await Wizard.VerifyL1Button(keystoreName).ClickAsync();
        await Expect(Wizard.L1Verification(keystoreName)).ToContainTextAsync(
            $"✓ A fresh 256-bit tenant key was wrapped under the L1 key of {keystoreName}");
        await Expect(Wizard.L1Verification(keystoreName)).ToContainTextAsync("unwrapped to the same key");
    }

    /// <summary>
    /// Follows "Go to the dashboard" (in-app navigation, the same document) and waits for the keystore's tile to turn
    /// Healthy by itself; then proves the document was never reloaded.
    /// </summary>
    public async Task ExpectHealthyOnDashboardWithoutReloadAsync(string keystoreName)
    {
        // Survives only as long as this document does: a reload or a full navigation would drop it.
        await page.EvaluateAsync("window.__noReloadMarker = 1");
        await Wizard.DashboardLink.ClickAsync();
        var dashboard = new DashboardPage(page);
        await dashboard.ExpectShownAsync();
        await Expect(dashboard.StatusOf(keystoreName)).ToHaveAttributeAsync("aria-label", $"{keystoreName} status: Healthy", E2ETimeouts.UntilHealthy);
        Assert.Equal(1, await page.EvaluateAsync<int?>("window.__noReloadMarker"));
    }
}
