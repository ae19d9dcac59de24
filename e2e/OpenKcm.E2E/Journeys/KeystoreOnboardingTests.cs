using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

/// <summary>Journey 1 (design.md): onboard a keystore, here the sandbox's OpenBao, and watch it on the dashboard.</summary>
public sealed class KeystoreOnboardingTests(BootstrappedConsoleFixture app) : BrowserTest<BootstrappedConsoleFixture>(app)
{
    /// <summary>The sandbox's ready-to-import OpenBao entry from sandbox-manifest.json in the data directory.</summary>
    private JsonObject SandboxOpenBaoSeed()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(App.DataDirectory, "sandbox-manifest.json")))!.AsObject();
        // By name: openbao_backup is a second openbao entry.
        return manifest["openbao"]!.DeepClone().AsObject();
    }

    [Fact]
    public Task Administrator_OnboardsTheSandboxOpenBao_SeesItHealthyOnTheDashboard() => RunAsync(async () =>
    {
        var seed = SandboxOpenBaoSeed();
        var name = (string)seed["plugin_name"]!;
        var signIn = new SignInPage(Page);
        var wizard = new KeystoreWizardPage(Page);
        await signIn.GotoAsync();
        await signIn.SignInAsync(BootstrappedConsoleFixture.AdminEmail, BootstrappedConsoleFixture.AdminPassword);
        await new ConsoleShell(Page).NavLink("Add New Keystore").ClickAsync();
        await wizard.ExpectShownAsync();

        await wizard.ChooseTypeAsync("OpenBao");
        await wizard.ForwardButton().ClickAsync();
        await Expect(wizard.StepHeading("Configure OpenBao")).ToBeVisibleAsync();
        await wizard.ImportAsync(seed.ToJsonString());
        await Expect(wizard.Field("Name (plugin_name)")).ToHaveValueAsync(name);
        await wizard.ForwardButton("Save and continue").ClickAsync();

        await Expect(wizard.StepHeading("Set up permissions on the keystore")).ToBeVisibleAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/keystores/[0-9a-f-]{36}/setup$"));
        await wizard.ForwardButton().ClickAsync();

        await Expect(wizard.StepHeading("Test Connection")).ToBeVisibleAsync();
        await wizard.RunTestButton.ClickAsync();
        await Expect(wizard.TestSummary).ToBeVisibleAsync();
        await Expect(wizard.Checks.GetByRole(Microsoft.Playwright.AriaRole.Listitem)).Not.ToHaveCountAsync(0);
        await wizard.ForwardButton("Continue to activation").ClickAsync();

        await wizard.ActivateButton.ClickAsync();
        await Expect(wizard.ActivationConfirmation).ToContainTextAsync($"{name} is active for its tenant");

        var dashboard = new DashboardPage(Page);
        await dashboard.GotoAsync();
        await dashboard.ExpectShownAsync();
        // Probes run every second in e2e (OpenKcm:Health:ProbeInterval): the tile turns Healthy after the first.
        await Expect(dashboard.StatusOf(name)).ToHaveAttributeAsync("aria-label", $"{name} status: Healthy", E2ETimeouts.UntilHealthy);
        AssertNoBrowserErrors();
    });
}
