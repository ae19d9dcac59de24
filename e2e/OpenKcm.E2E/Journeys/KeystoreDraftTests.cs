using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using OpenKcm.Sandbox.OpenBao;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// Saved drafts: one resumes where it was left, and a draft whose Test Connection fails says which check failed, why
/// and what to do, and cannot be activated. Each test saves its own keystore, named after it, against the sandbox
/// OpenBao.
/// </summary>
public sealed class KeystoreDraftTests(BootstrappedConsoleFixture app) : BrowserTest<BootstrappedConsoleFixture>(app)
{
    private static readonly string[] s_checksAfterLogin = ["Token lifecycle", "Transit key access", "Encrypt / decrypt round trip", "Least privilege"];

    [Fact]
    public Task SavedDraft_LeftAndReopenedFromThePluginConfigurationList_ResumesWithItsValuesAtPermissions() => RunAsync(async () =>
    {
        const string Name = "resumed_openbao";
        var seed = SandboxOpenBao.Seed(App, Name);
        var configuration = seed["configuration"]!;
        var wizard = await SaveDraftAsync(seed);

        await new ConsoleShell(Page).NavLink("Dashboard").ClickAsync();
        await new DashboardPage(Page).ExpectShownAsync();
        // A full page load: a new circuit, so the wizard can only get the draft back from what was saved.
        var list = new PluginConfigurationPage(Page);
        await list.GotoAsync();
        await list.ExpectShownAsync();
        await list.KeystoreLink(Name).ClickAsync();

        await Expect(wizard.SetupHeading(Name)).ToBeVisibleAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/keystores/[0-9a-f-]{36}/setup$"));
        await Expect(wizard.StepHeading("Set up permissions on the keystore")).ToBeVisibleAsync();
        await wizard.BackButton.ClickAsync();
        await Expect(wizard.StepHeading("Configure OpenBao")).ToBeVisibleAsync();
        await Expect(wizard.Field("Name (plugin_name)")).ToHaveValueAsync(Name);
        await Expect(wizard.Field("OpenBao address")).ToHaveValueAsync((string)configuration["vault_address"]!);
        await Expect(wizard.Field("Role ID")).ToHaveValueAsync((string)configuration["role_id"]!);
        await Expect(wizard.Field("Secret ID file")).ToHaveValueAsync((string)configuration["secret_id_path"]!);
        await Expect(wizard.Field("Transit mount path")).ToHaveValueAsync((string)configuration["mount_path"]!);
        await Expect(wizard.Field("Transit key name")).ToHaveValueAsync((string)configuration["key_name"]!);
        AssertNoBrowserErrors();
    });

    [Fact]
    public Task TestConnection_WrongSecretIdEnteredInTheForm_FailsAtAppRoleLoginWithARemedyAndCannotBeActivated() => RunAsync(async () =>
    {
        const string Name = "wrong_secret_openbao";
        var wizard = await OpenConfigurationStepAsync();
        await wizard.ImportAsync(SandboxOpenBao.Seed(App, Name).ToJsonString());
        await wizard.Field("Secret ID file").ClearAsync();
        await wizard.Field("Secret ID (optional)").FillAsync("00000000-0000-0000-0000-000000000000");
        await wizard.ForwardButton("Save and continue").ClickAsync();
        await Expect(wizard.StepHeading("Set up permissions on the keystore")).ToBeVisibleAsync();
        await wizard.ForwardButton().ClickAsync();

        await RunTestAsync(wizard);

        await Expect(wizard.Check("Server health")).ToHaveAttributeAsync("aria-label", "Server health: Passed");
        var login = wizard.Check("AppRole login");
        await Expect(login).ToHaveAttributeAsync("aria-label", "AppRole login: Failed");
        await Expect(login).ToContainTextAsync("rejected the secret_id");
        await Expect(login).ToContainTextAsync(new Regex("What to do:.*secret ID", RegexOptions.Singleline));
        foreach (var check in s_checksAfterLogin)
        {
            await Expect(wizard.Check(check)).ToHaveAttributeAsync("aria-label", $"{check}: Skipped");
        }

        await Expect(wizard.TestOutcome).ToHaveTextAsync("Test failed at “AppRole login”. Fix the cause and run the test again.");
        await wizard.ForwardButton("Continue to activation").ClickAsync();
        await Expect(wizard.StepError.Filter(new() { HasText = "Run Test Connection until every check passes" })).ToBeVisibleAsync();
        await Expect(wizard.StepHeading("Test Connection")).ToBeVisibleAsync();
        await Expect(wizard.ActivateButton).ToHaveCountAsync(0);
        AssertNoBrowserErrors();
    });

    [Fact]
    public Task TestConnection_NewVersionNamesAKeyThatDoesNotExist_FailsAtKeyAccessAndTheListShowsTheFailure() => RunAsync(async () =>
    {
        const string Name = "missing_key_openbao";
        const string MissingKey = "no-such-key";
        // The role may use the missing key, so the test fails for the key's absence and not for the policy.
        await AllowTheSandboxRoleKeyAsync(MissingKey);
        var wizard = await SaveDraftAsync(SandboxOpenBao.Seed(App, Name));
        await wizard.BackButton.ClickAsync();
        await wizard.Field("Transit key name").FillAsync(MissingKey);
        await wizard.ForwardButton("Save and continue").ClickAsync();
        await Expect(wizard.StepHeading("Set up permissions on the keystore")).ToBeVisibleAsync();
        await wizard.ForwardButton().ClickAsync();
        await Expect(wizard.TestStep).ToContainTextAsync("with the saved configuration (version 2)");

        await RunTestAsync(wizard);

        var keyAccess = wizard.Check("Transit key access");
        await Expect(keyAccess).ToHaveAttributeAsync("aria-label", "Transit key access: Failed");
        await Expect(keyAccess).ToContainTextAsync($"OpenBao has no transit key at {OpenBaoEmulator.MountPath}/keys/{MissingKey}");
        await Expect(keyAccess).ToContainTextAsync(new Regex("What to do:.*Create the key", RegexOptions.Singleline));
        foreach (var check in new[] { "Encrypt / decrypt round trip", "Least privilege" })
        {
            await Expect(wizard.Check(check)).ToHaveAttributeAsync("aria-label", $"{check}: Skipped");
        }

        var list = new PluginConfigurationPage(Page);
        await new ConsoleShell(Page).NavLink("Plugin Configuration").ClickAsync();
        await list.ExpectShownAsync();
        await Expect(list.Versions(Name)).ToHaveTextAsync("current 2");
        await Expect(list.LastTest(Name)).ToHaveTextAsync(new Regex(@"^Failed \(v2, "));
        AssertNoBrowserErrors();
    });

    private Task<KeystoreWizardPage> OpenConfigurationStepAsync() => KeystoreWizardPage.OpenOpenBaoConfigurationAsync(
        Page, App.Context, BootstrappedConsoleFixture.AdminEmail, BootstrappedConsoleFixture.AdminPassword);

    /// <summary>Imports <paramref name="seed"/> and saves the configuration step: the draft exists, the wizard is at Permissions.</summary>
    private async Task<KeystoreWizardPage> SaveDraftAsync(JsonObject seed)
    {
        var wizard = await OpenConfigurationStepAsync();
        await wizard.ImportAsync(seed.ToJsonString());
        await wizard.ForwardButton("Save and continue").ClickAsync();
        await Expect(wizard.StepHeading("Set up permissions on the keystore")).ToBeVisibleAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/keystores/[0-9a-f-]{36}/setup$"));
        return wizard;
    }

    private static async Task RunTestAsync(KeystoreWizardPage wizard)
    {
        await Expect(wizard.StepHeading("Test Connection")).ToBeVisibleAsync();
        await wizard.RunTestButton.ClickAsync();
        await Expect(wizard.TestOutcome).ToBeVisibleAsync();
    }

    /// <summary>Adds read, encrypt and decrypt on <paramref name="keyName"/> to the sandbox role's policy, as an OpenBao administrator would.</summary>
    private async Task AllowTheSandboxRoleKeyAsync(string keyName)
    {
        using var admin = SandboxOpenBao.Emulator(App).CreateAdminClient();
        var policyPath = $"sys/policies/acl/{OpenBaoEmulator.PolicyName}";
        var current = await admin.SendAsync(HttpMethod.Get, policyPath, null);
        var text = (string?)current?["data"]?["policy"] ?? (string?)current?["policy"]
            ?? throw new InvalidOperationException($"GET {policyPath} returned no policy text: {current}");
        var mount = OpenBaoEmulator.MountPath;
        await admin.WritePolicyAsync(OpenBaoEmulator.PolicyName, text + $$"""

            path "{{mount}}/keys/{{keyName}}" { capabilities = ["read"] }
            path "{{mount}}/encrypt/{{keyName}}" { capabilities = ["update"] }
            path "{{mount}}/decrypt/{{keyName}}" { capabilities = ["update"] }
            """);
    }
}
