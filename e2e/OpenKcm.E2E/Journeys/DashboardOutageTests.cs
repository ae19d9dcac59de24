using System.Text.RegularExpressions;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// An outage of an active keystore reaches an already-open dashboard live: the fault is injected through the console's
/// own Sandbox page in a second tab, and the first tab changes without being reloaded.
/// </summary>
public sealed class DashboardOutageTests(BootstrappedConsoleFixture app) : BrowserTest<BootstrappedConsoleFixture>(app)
{
    private const string KeystoreName = "outage_openbao";

    [Fact]
    public Task OpenDashboard_SandboxOpenBaoGoesDownThenIsReset_TurnsCriticalThenHealthyWithoutReload() => RunAsync(async () =>
    {
        var dashboard = new DashboardPage(Page);
        await SignInAsync();
        await OnboardSandboxOpenBaoAsync();
        await dashboard.GotoAsync();
        await dashboard.ExpectShownAsync();
        await Expect(dashboard.StatusOf(KeystoreName)).ToHaveAttributeAsync("aria-label", $"{KeystoreName} status: Healthy", E2ETimeouts.UntilHealthy);
        // Survives only as long as this document does: a reload or a full navigation would drop it.
        await Page.EvaluateAsync("window.__noReloadMarker = 1");

        var sandboxTab = await App.Context.NewPageAsync();
        try
        {
            var sandbox = new SandboxPage(sandboxTab);
            await sandbox.GotoAsync();
            await sandbox.ExpectShownAsync();
            var openBao = sandbox.Emulator("openbao");
            await openBao.Down.CheckAsync();
            await openBao.ApplyButton.ClickAsync();
            await Expect(openBao.State).ToHaveTextAsync("Now: down (connections refused).");

            // Three failed probes in a row (one a second in e2e) make it Critical.
            await Expect(dashboard.StatusOf(KeystoreName)).ToHaveAttributeAsync("aria-label", $"{KeystoreName} status: Critical");
            await Expect(dashboard.Tile(KeystoreName)).ToContainTextAsync(new Regex("Error.*refused", RegexOptions.Singleline));
            await ExpectSameDocumentAsync();

            await openBao.ResetButton.ClickAsync();
            await Expect(openBao.State).ToHaveTextAsync("Now: serving.");

            await Expect(dashboard.StatusOf(KeystoreName)).ToHaveAttributeAsync("aria-label", $"{KeystoreName} status: Healthy", E2ETimeouts.UntilHealthy);
            await ExpectSameDocumentAsync();
        }
        finally
        {
            await sandboxTab.CloseAsync();
            // Leave the emulator serving for the class's other tests whatever happened above.
            await SandboxOpenBao.Emulator(App).Faults.ResetAsync();
        }

        AssertNoBrowserErrors();
    });

    private async Task ExpectSameDocumentAsync() =>
        Assert.Equal(1, await Page.EvaluateAsync<int?>("window.__noReloadMarker"));

    private async Task SignInAsync()
    {
        await App.Context.ClearCookiesAsync();
        var signIn = new SignInPage(Page);
        await signIn.GotoAsync();
        await signIn.SignInAsync(BootstrappedConsoleFixture.AdminEmail, BootstrappedConsoleFixture.AdminPassword);
        await new DashboardPage(Page).ExpectShownAsync();
    }

    /// <summary>Adds, tests and activates the sandbox OpenBao through the wizard, as an administrator would.</summary>
    private async Task OnboardSandboxOpenBaoAsync()
    {
        var wizard = new KeystoreWizardPage(Page);
        await wizard.GotoAsync();
        await wizard.ExpectShownAsync();
        await wizard.ChooseTypeAsync("OpenBao");
        await wizard.ForwardButton().ClickAsync();
        await wizard.ImportAsync(SandboxOpenBao.Seed(App, KeystoreName).ToJsonString());
        await wizard.ForwardButton("Save and continue").ClickAsync();
        await Expect(wizard.StepHeading("Set up permissions on the keystore")).ToBeVisibleAsync();
        await wizard.ForwardButton().ClickAsync();
        await wizard.RunTestButton.ClickAsync();
        await Expect(wizard.TestSummary).ToContainTextAsync("All checks passed");
        await wizard.ForwardButton("Continue to activation").ClickAsync();
        await wizard.ActivateButton.ClickAsync();
        await Expect(wizard.ActivationConfirmation).ToContainTextAsync($"{KeystoreName} is active for its tenant");
    }
}
