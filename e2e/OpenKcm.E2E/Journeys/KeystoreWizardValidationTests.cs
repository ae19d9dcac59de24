using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// The wizard refuses bad input where it is typed, and nothing bad is saved. No test of this class saves a keystore,
/// so the Plugin Configuration list must stay empty.
/// </summary>
public sealed class KeystoreWizardValidationTests(BootstrappedConsoleFixture app) : BrowserTest<BootstrappedConsoleFixture>(app)
{
    [Fact]
    public Task ConfigurationStep_EmptyRoleIdAndAddressNotAUrl_ShowsEachErrorOnItsFieldAndSavesNothing() => RunAsync(async () =>
    {
        var wizard = await OpenConfigurationStepAsync();
        var seed = SandboxOpenBao.Seed(App, "invalid_openbao");
        var configuration = seed["configuration"]!;
        await wizard.Field("Name (plugin_name)").FillAsync("invalid_openbao");
        await wizard.Field("OpenBao address").FillAsync("not a url");
        await wizard.Field("Secret ID file").FillAsync((string)configuration["secret_id_path"]!);
        await wizard.Field("Transit mount path").FillAsync((string)configuration["mount_path"]!);
        await wizard.Field("Transit key name").FillAsync((string)configuration["key_name"]!);

        await wizard.ForwardButton("Save and continue").ClickAsync();

        await Expect(wizard.StepError.Filter(new() { HasText = "Correct the highlighted fields" })).ToBeVisibleAsync();
        // Each message is the field's accessible description (aria-describedby), so it is read out with the field.
        await Expect(wizard.Field("OpenBao address")).ToHaveAccessibleDescriptionAsync(new Regex("must be an absolute|Enter an absolute"));
        await Expect(wizard.Field("Role ID")).ToHaveAccessibleDescriptionAsync(new Regex("Role ID is required|Enter the AppRole role ID"));
        await Expect(wizard.StepHeading("Configure OpenBao (Vault-compatible)")).ToBeVisibleAsync();
        await Expect(Page).ToHaveURLAsync(new Regex($"/{KeystoreWizardPage.Path}$"));

        await ExpectNoKeystoreSavedAsync();
        AssertNoBrowserErrors();
    });

    [Fact]
    public Task ImportJson_UnknownFieldAndWrongType_NamesBothFieldsAndFillsNothing() => RunAsync(async () =>
    {
        var wizard = await OpenConfigurationStepAsync();
        var seed = SandboxOpenBao.Seed(App, "imported_openbao");
        seed["configuration"]!["mount_path"] = 5;
        seed["configuration"]!["vault_adress"] = "http://127.0.0.1:8200";

        await wizard.SubmitImportAsync(seed.ToJsonString());

        await Expect(wizard.ImportError("mount_path")).ToContainTextAsync("'mount_path' must be a JSON string; found a number");
        await Expect(wizard.ImportError("vault_adress")).ToContainTextAsync("Unknown field 'vault_adress'");
        await Expect(wizard.ImportJson).ToHaveAccessibleDescriptionAsync(new Regex("mount_path.*vault_adress|vault_adress.*mount_path"));
        // The import is all or nothing: not even the valid fields of the refused document reach the form.
        foreach (var label in new[] { "Name (plugin_name)", "OpenBao address", "Role ID", "Secret ID file", "Transit mount path", "Transit key name" })
        {
            await Expect(wizard.Field(label)).ToHaveValueAsync("");
        }

        await ExpectNoKeystoreSavedAsync();
        AssertNoBrowserErrors();
    });

    private Task<KeystoreWizardPage> OpenConfigurationStepAsync() => KeystoreWizardPage.OpenOpenBaoConfigurationAsync(
        Page, App.Context, BootstrappedConsoleFixture.AdminEmail, BootstrappedConsoleFixture.AdminPassword);

    private async Task ExpectNoKeystoreSavedAsync()
    {
        var list = new PluginConfigurationPage(Page);
        await new ConsoleShell(Page).NavLink("Plugin Configuration").ClickAsync();
        await list.ExpectShownAsync();
        await Expect(list.EmptyMessage).ToBeVisibleAsync();
        await Expect(list.Grid.GetByRole(AriaRole.Link)).ToHaveCountAsync(0);
    }
}
