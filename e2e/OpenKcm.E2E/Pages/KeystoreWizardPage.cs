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

    /// <summary>
    /// Chooses a keystore type and waits until the console has taken the choice. Radzen's radio is a div whose
    /// aria-checked changes only after the server re-renders, so Playwright's CheckAsync (which checks the state right
    /// after its click) races the circuit; with one plugin the console preselects it, with several it does not.
    /// </summary>
    public async Task ChooseTypeAsync(string displayName)
    {
        var type = KeystoreType(displayName);
        await type.ClickAsync();
        await Expect(type).ToBeCheckedAsync();
    }

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

    /// <summary>
    /// A descriptor field by its exact label ("Secret access key", "Crypto Officer PIN"): the form appends
    /// " (optional)" to the label of a field that is not required.
    /// </summary>
    public ILocator ConfigField(string label) =>
        page.GetByLabel(new Regex($"^{Regex.Escape(label)}( \\(optional\\))?$"));

    /// <summary>A dropdown field (a Radzen combobox named by its label, e.g. "Console credentials").</summary>
    public ILocator ChoiceField(string label) => page.GetByRole(AriaRole.Combobox, new() { Name = label, Exact = true });

    /// <summary>One option of the open dropdown ("default_chain").</summary>
    public ILocator ChoiceOption(string value) => page.GetByRole(AriaRole.Option, new() { Name = value, Exact = true });

    /// <summary>Picks <paramref name="value"/> in the dropdown labelled <paramref name="label"/> and waits until it shows.</summary>
    public async Task ChooseAsync(string label, string value)
    {
        await ChoiceField(label).ClickAsync();
        await ChoiceOption(value).ClickAsync();
        await Expect(ChoiceField(label)).ToContainTextAsync(value);
    }

    /// <summary>A code block of the permissions step, by its title ("Role trust policy"); the Copy button is not it.</summary>
    public ILocator GuidanceBlock(string title) => page.GetByLabel(title, new() { Exact = true });

    /// <summary>A code block of the permissions step whose title matches <paramref name="title"/>.</summary>
    public ILocator GuidanceBlock(Regex title) => page.GetByLabel(title);

    /// <summary>
    /// Types a write-only secret (password or multi-line PEM) and leaves the field, then waits until the console has
    /// taken it: the field stays empty (it never shows a secret back) and its placeholder says it will be stored.
    /// </summary>
    public async Task EnterSecretAsync(string label, string value)
    {
        var field = ConfigField(label);
        await field.FillAsync(value);
        await field.BlurAsync();
        await Expect(field).ToHaveAttributeAsync("placeholder", "entered · stored when you save");
    }

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

    /// <summary>The activation result JSON shown after activation (a labelled code block).</summary>
    public ILocator ActivationResult => page.GetByLabel("Activation result", new() { Exact = true });

    /// <summary>Verify L1 key usage: wraps and unwraps a fresh L2 key through the active keystore.</summary>
    public ILocator VerifyL1Button(string keystoreName) =>
        page.GetByRole(AriaRole.Button, new() { Name = $"Verify L1 key usage of {keystoreName}", Exact = true });

    /// <summary>The outcome of Verify L1 key usage (a status line starting with ✓ or ✗).</summary>
    public ILocator L1Verification(string keystoreName) =>
        page.GetByRole(AriaRole.Status, new() { Name = $"L1 verification of {keystoreName}", Exact = true });

    /// <summary>The link shown after activation.</summary>
    public ILocator DashboardLink => page.GetByRole(AriaRole.Link, new() { Name = "Go to the dashboard", Exact = true });

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
        await wizard.ChooseTypeAsync("OpenBao");
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
