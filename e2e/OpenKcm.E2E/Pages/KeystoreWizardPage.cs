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

    /// <summary>The current step's heading ("Choose a keystore type", "Configure OpenBao", "Test Connection", ...).</summary>
    public ILocator StepHeading(string name) => page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 2 });

    /// <summary>A keystore type by the start of its display name ("OpenBao").</summary>
    public ILocator KeystoreType(string displayName) =>
        page.GetByRole(AriaRole.Radio, new() { Name = displayName });

    /// <summary>The forward button, whatever the step calls it ("Next", "Save and continue", "Continue to activation").</summary>
    public ILocator ForwardButton(string label = "Next") => page.GetByRole(AriaRole.Button, new() { Name = label, Exact = true });

    public ILocator ImportJsonButton => page.GetByRole(AriaRole.Button, new() { Name = "Import JSON" });

    public ILocator ImportJson => page.GetByLabel("Configuration JSON");

    public ILocator ApplyImportButton => page.GetByRole(AriaRole.Button, new() { Name = "Apply import" });

    /// <summary>A configuration field by its label ("Vault address", "Name (plugin_name)").</summary>
    public ILocator Field(string label) => page.GetByLabel(label);

    public ILocator RunTestButton => page.GetByRole(AriaRole.Button, new() { Name = "Run Test Connection" });

    public ILocator Checks => page.GetByRole(AriaRole.List, new() { Name = "Connection checks" });

    public ILocator TestSummary => page.GetByRole(AriaRole.Status).Filter(new() { HasText = "checks passed" });

    public ILocator ActivateButton => page.GetByRole(AriaRole.Button, new() { Name = "Activate", Exact = true });

    /// <summary>The success message after activation (a RadzenAlert: announced as an alert, whatever role the markup asks for).</summary>
    public ILocator ActivationConfirmation => page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "is active for its tenant" });

    public ILocator StepError => page.GetByRole(AriaRole.Alert);

    public async Task GotoAsync() => await page.GotoAsync(Path);

    public async Task ExpectShownAsync() => await Expect(Heading).ToBeVisibleAsync();

    /// <summary>Pastes a seed-shaped JSON document (<c>{"plugin_type", "plugin_name", "configuration"}</c>) into the import panel.</summary>
    public async Task ImportAsync(string json)
    {
        await ImportJsonButton.ClickAsync();
        await ImportJson.FillAsync(json);
        await ApplyImportButton.ClickAsync();
        await Expect(ImportJson).ToHaveCountAsync(0);
    }
}
