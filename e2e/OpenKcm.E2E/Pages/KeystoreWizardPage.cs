using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Pages;

/// <summary>
/// /keystores/new: the Add New Keystore wizard (Type → Configuration → Permissions → Test Connection → Activate).
/// </summary>
public sealed class KeystoreWizardPage(IPage page)
{
    public const string Path = "keystores/new";

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Add New Keystore", Level = 1 });

    /// <summary>The heading of a saved keystore's wizard (<c>/keystores/{id}/setup</c>): "Set up {name}".</summary>
    public ILocator SetupHeading(string keystoreName) =>
        page.GetByRole(AriaRole.Heading, new() { Name = $"Set up {keystoreName}", Exact = true, Level = 1 });

    /// <summary>The current step's heading ("Choose a keystore type", "Configure OpenBao", "Test Connection", ...).</summary>
    public ILocator StepHeading(string name) => page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 2 });

    /// <summary>A keystore type by the start of its display name ("OpenBao").</summary>
    public ILocator KeystoreType(string displayName) =>
        page.GetByRole(AriaRole.Radio, new() { Name = displayName });

    /// <summary>The forward button, whatever the step calls it ("Next", "Save and continue", "Continue to activation").</summary>
    public ILocator ForwardButton(string label = "Next") => page.GetByRole(AriaRole.Button, new() { Name = label, Exact = true });

    public ILocator BackButton => page.GetByRole(AriaRole.Button, new() { Name = "Back", Exact = true });

    public ILocator ImportJsonButton => page.GetByRole(AriaRole.Button, new() { Name = "Import JSON" });

    public ILocator ImportJson => page.GetByLabel("Configuration JSON");

    public ILocator ApplyImportButton => page.GetByRole(AriaRole.Button, new() { Name = "Apply import" });

    /// <summary>An import error naming <paramref name="field"/> ("mount_path: ..."); shown under the JSON box.</summary>
    public ILocator ImportError(string field) => page.GetByRole(AriaRole.Alert).Filter(new() { HasText = $"{field}:" });

    /// <summary>A configuration field by its label ("Vault address", "Name (plugin_name)").</summary>
    public ILocator Field(string label) => page.GetByLabel(label);

    /// <summary>The Test Connection step (a region named by its heading), which names the configuration version it tests.</summary>
    public ILocator TestStep => page.GetByRole(AriaRole.Region, new() { Name = "Test Connection", Exact = true });

    public ILocator RunTestButton => page.GetByRole(AriaRole.Button, new() { Name = "Run Test Connection" });

    public ILocator Checks => page.GetByRole(AriaRole.List, new() { Name = "Connection checks" });

    /// <summary>One Test Connection check by its name ("AppRole login"); its accessible name is "{name}: {status}".</summary>
    public ILocator Check(string name) => Checks.GetByRole(AriaRole.Listitem, new() { Name = $"{name}:" });

    public ILocator TestSummary => page.GetByRole(AriaRole.Status).Filter(new() { HasText = "checks passed" });

    /// <summary>The line shown once a test run has ended, passed ("All checks passed…") or not ("Test failed at “…”").</summary>
    public ILocator TestOutcome => page.GetByRole(AriaRole.Status)
        .Filter(new() { HasTextRegex = new Regex("checks passed|^Test (failed|cancelled)") });

    public ILocator ActivateButton => page.GetByRole(AriaRole.Button, new() { Name = "Activate", Exact = true });

    /// <summary>The success message after activation (a status line).</summary>
    public ILocator ActivationConfirmation => page.GetByRole(AriaRole.Status).Filter(new() { HasText = "is active for its tenant" });

    public ILocator StepError => page.GetByRole(AriaRole.Alert);

    public async Task GotoAsync() => await page.GotoAsync(Path);

    public async Task ExpectShownAsync() => await Expect(Heading).ToBeVisibleAsync();

    /// <summary>
    /// Signs in afresh as <paramref name="email"/>, opens Add New Keystore from the navigation, chooses OpenBao and
    /// moves to the configuration step.
    /// </summary>
    public static async Task<KeystoreWizardPage> OpenOpenBaoConfigurationAsync(IPage page, IBrowserContext context, string email, string password)
    {
        await context.ClearCookiesAsync();
        var signIn = new SignInPage(page);
        await signIn.GotoAsync();
        await signIn.SignInAsync(email, password);
        await new DashboardPage(page).ExpectShownAsync();

        var wizard = new KeystoreWizardPage(page);
        await new ConsoleShell(page).NavLink("Add New Keystore").ClickAsync();
        await wizard.ExpectShownAsync();
        await wizard.KeystoreType("OpenBao").CheckAsync();
        await wizard.ForwardButton().ClickAsync();
        await Expect(wizard.StepHeading("Configure OpenBao")).ToBeVisibleAsync();
        return wizard;
    }

    /// <summary>Pastes <paramref name="json"/> into the import panel and applies it, whether or not the import is accepted.</summary>
    public async Task SubmitImportAsync(string json)
    {
        await ImportJsonButton.ClickAsync();
        await ImportJson.FillAsync(json);
        await ApplyImportButton.ClickAsync();
    }

    /// <summary>Pastes a seed-shaped JSON document (<c>{"plugin_type", "plugin_name", "configuration"}</c>) into the import panel.</summary>
    public async Task ImportAsync(string json)
    {
        await SubmitImportAsync(json);
        await Expect(ImportJson).ToHaveCountAsync(0);
    }
}
