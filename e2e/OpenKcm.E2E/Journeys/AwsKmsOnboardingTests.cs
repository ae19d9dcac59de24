using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// Journey 1 (design.md) for AWS KMS (issue 3): onboard the sandbox's AWS KMS + STS emulator from Plugin Configuration to
/// the dashboard, and read the failures an administrator meets (a wrong external ID, a disabled key) as their causes.
/// </summary>
/// <remarks>
/// The tests share one console and emulator; each onboards its own keystore under its own name, and the disabled-key
/// test disables a key of its own, so no test depends on another's state or order.
/// </remarks>
public sealed class AwsKmsOnboardingTests(BootstrappedConsoleFixture app) : BrowserTest<BootstrappedConsoleFixture>(app)
{
    private const string TypeName = "AWS KMS";
    private const string ConsoleCredentials = "Console credentials";
    private const string AssumeRole = "Assume role with external ID";
    private const string L1Key = "L1 key";
    private const string EncryptDecrypt = "Encrypt / decrypt round trip";
    private const string GenerateDataKey = "Generate data key";

    [Fact]
    public Task Administrator_OnboardsTheSandboxAwsKms_EveryCheckPassesActivatesVerifiesAndTurnsHealthy() => RunAsync(async () =>
    {
        const string name = "journey_aws_kms";
        var seed = SandboxKeystores.ImportEntry(App, SandboxKeystores.AwsKms, name);
        var keyArn = SandboxKeystores.Setting(seed, "kms_key_id");
        var roleArn = SandboxKeystores.Setting(seed, "role_arn");
        var externalId = SandboxKeystores.Setting(seed, "external_id");
        var journey = new KeystoreJourney(Page, App.Context);
        var wizard = journey.Wizard;
        await journey.SignInAsync();
        await journey.OpenConfigurationAsync(TypeName);
        await ImportWithSecretAsync(journey, seed);
        await Screenshots.SaveAsync(Page, "aws_kms-0a-configuration");
        await journey.SaveConfigurationAsync();
        await Screenshots.SaveAsync(Page, "aws_kms-0b-permissions");

        // The permissions step is generated from what was entered: least privilege on exactly this key, and a trust
        // policy that admits the console only with this external ID.
        var rolePolicy = await ReadJsonAsync(wizard.GuidanceBlock(new Regex("^Role policy ")));
        var grant = rolePolicy["Statement"]![0]!;
        Assert.Equal(keyArn, (string?)grant["Resource"]);
        Assert.Equal(["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
            grant["Action"]!.AsArray().Select(a => (string)a!).Order(StringComparer.Ordinal));
        var trust = (await ReadJsonAsync(wizard.GuidanceBlock("Role trust policy")))["Statement"]![0]!;
        Assert.Equal("sts:AssumeRole", (string?)trust["Action"]);
        Assert.Equal(externalId, (string?)trust["Condition"]!["StringEquals"]!["sts:ExternalId"]);
        var keyPolicy = await ReadJsonAsync(wizard.GuidanceBlock("Key policy statement"));
        Assert.Equal(roleArn, (string?)keyPolicy["Principal"]!["AWS"]);

        await journey.RunTestConnectionAsync();
        await Expect(wizard.TestOutcome).ToHaveTextAsync("All checks passed. This version can be activated.");
        await journey.ExpectChecksAsync((ConsoleCredentials, "Passed"), (AssumeRole, "Passed"), (L1Key, "Passed"),
            (EncryptDecrypt, "Passed"), (GenerateDataKey, "Passed"));
        await Expect(wizard.Check(AssumeRole)).ToContainTextAsync("Without the external ID the role refuses the console");
        await Screenshots.SaveAsync(Page, "aws_kms-1-test-connection-passed");

        var result = await journey.ActivateAsync(name);
        Assert.Equal("connection_successful", (string?)result["status"]);
        Assert.Equal("active", (string?)result["plugin_status"]);
        Assert.Equal(keyArn, (string?)result["l1_key_location"]);
        Assert.True((bool?)result["key_operations_ready"]);

        await journey.VerifyL1Async(name);
        await Screenshots.SaveAsync(Page, "aws_kms-2-activation-result");
        await Expect(Page.Locator("body")).Not.ToContainTextAsync(SandboxKeystores.Admin(App, SandboxKeystores.AwsKms, "secret_access_key"));
        await journey.ExpectHealthyOnDashboardWithoutReloadAsync(name);

        // The verification is audited (only this test of the class verifies).
        var audit = new AuditPage(Page);
        await new ConsoleShell(Page).NavLink("Audit log").ClickAsync();
        await audit.ExpectShownAsync();
        await audit.ActionFilter.FillAsync("keystore.verify_l1");
        await audit.ApplyFiltersButton.ClickAsync();
        await Expect(audit.Entries("keystore.verify_l1")).ToHaveCountAsync(1);
        await Expect(audit.Entries("keystore.verify_l1")).ToContainTextAsync("Success");
        AssertNoBrowserErrors();
    });

    [Fact]
    public Task TestConnection_WrongExternalId_AssumeRoleFailsNamingTheTrustPolicyAndLaterChecksAreSkipped() => RunAsync(async () =>
    {
        const string name = "aws_wrong_external_id";
        var seed = SandboxKeystores.ImportEntry(App, SandboxKeystores.AwsKms, name);
        var wrongExternalId = SandboxKeystores.Setting(seed, "external_id") + "-other-customer";
        seed["configuration"]!["external_id"] = wrongExternalId;
        var journey = new KeystoreJourney(Page, App.Context);
        var wizard = journey.Wizard;
        await journey.SignInAsync();
        await journey.OpenConfigurationAsync(TypeName);
        await ImportWithSecretAsync(journey, seed);
        await journey.SaveConfigurationAsync();
        await journey.RunTestConnectionAsync();

        await Expect(wizard.TestOutcome).ToHaveTextAsync($"Test failed at “{AssumeRole}”. Fix the cause and run the test again.");
        await journey.ExpectChecksAsync((ConsoleCredentials, "Passed"), (AssumeRole, "Failed"), (L1Key, "Skipped"),
            (EncryptDecrypt, "Skipped"), (GenerateDataKey, "Skipped"));
        var assumeRole = wizard.Check(AssumeRole);
        await Expect(assumeRole).ToContainTextAsync("The role's trust policy refused sts:AssumeRole");
        await Expect(assumeRole).ToContainTextAsync("the external ID does not match");
        // The remedy names the exact condition to put in the trust policy, with the external ID that was entered.
        await Expect(assumeRole).ToContainTextAsync("What to do:");
        await Expect(assumeRole).ToContainTextAsync($"sts:ExternalId \"{wrongExternalId}\"");
        await Expect(wizard.Check(L1Key)).ToContainTextAsync("Not run because an earlier check failed.");
        await Screenshots.SaveAsync(Page, "aws_kms-3-test-connection-wrong-external-id");

        await wizard.ForwardButton("Continue to activation").ClickAsync();
        await Expect(wizard.StepError).ToHaveTextAsync("Run Test Connection until every check passes before activating.");
        AssertNoBrowserErrors();
    });

    [Fact]
    public Task TestConnection_KeyDisabledInKms_L1KeyCheckFailsSayingTheKeyIsDisabled() => RunAsync(async () =>
    {
        const string name = "aws_disabled_key";
        // A key of this test's own, disabled through the emulator's admin as an AWS administrator would in the console.
        var admin = SandboxKeystores.Host(App).AwsKms.Admin;
        var disabledKeyArn = admin.CreateKey();
        admin.SetKeyState(disabledKeyArn, "Disabled");
        var seed = SandboxKeystores.ImportEntry(App, SandboxKeystores.AwsKms, name);
        seed["configuration"]!["kms_key_id"] = disabledKeyArn;
        var journey = new KeystoreJourney(Page, App.Context);
        var wizard = journey.Wizard;
        await journey.SignInAsync();
        await journey.OpenConfigurationAsync(TypeName);
        await ImportWithSecretAsync(journey, seed);
        await journey.SaveConfigurationAsync();
        await journey.RunTestConnectionAsync();

        await Expect(wizard.TestOutcome).ToHaveTextAsync($"Test failed at “{L1Key}”. Fix the cause and run the test again.");
        await journey.ExpectChecksAsync((ConsoleCredentials, "Passed"), (AssumeRole, "Passed"), (L1Key, "Failed"),
            (EncryptDecrypt, "Skipped"), (GenerateDataKey, "Skipped"));
        var l1Key = wizard.Check(L1Key);
        await Expect(l1Key).ToContainTextAsync($"The key {disabledKeyArn} is disabled");
        await Expect(l1Key).ToContainTextAsync("aws kms enable-key");
        await Screenshots.SaveAsync(Page, "aws_kms-4-test-connection-disabled-key");
        AssertNoBrowserErrors();
    });

    [Fact]
    public Task ConfigurationForm_CredentialSourceSwitchedToDefaultChainAndBack_AccessKeyFieldsHideAndReturn() => RunAsync(async () =>
    {
        var seed = SandboxKeystores.ImportEntry(App, SandboxKeystores.AwsKms, "aws_credential_source");
        var journey = new KeystoreJourney(Page, App.Context);
        var wizard = journey.Wizard;
        await journey.SignInAsync();
        await journey.OpenConfigurationAsync(TypeName);
        await wizard.ImportAsync(seed.ToJsonString());
        await Expect(wizard.ChoiceField("Console credentials")).ToContainTextAsync("access_keys");
        await Expect(wizard.ConfigField("Access key ID")).ToHaveValueAsync(SandboxKeystores.Setting(seed, "access_key_id"));
        await Expect(wizard.ConfigField("Secret access key")).ToBeVisibleAsync();

        await wizard.ChooseAsync("Console credentials", "default_chain");
        await Expect(wizard.ConfigField("Access key ID")).ToHaveCountAsync(0);
        await Expect(wizard.ConfigField("Secret access key")).ToHaveCountAsync(0);

        await wizard.ChooseAsync("Console credentials", "access_keys");
        await Expect(wizard.ConfigField("Access key ID")).ToBeVisibleAsync();
        await Expect(wizard.ConfigField("Secret access key")).ToBeVisibleAsync();
        AssertNoBrowserErrors();
    });

    /// <summary>Imports the manifest entry, then types the secret access key, which the import never carries.</summary>
    private async Task ImportWithSecretAsync(KeystoreJourney journey, JsonObject seed)
    {
        await journey.Wizard.ImportAsync(seed.ToJsonString());
        await Expect(journey.Wizard.Field("Name (plugin_name)")).ToHaveValueAsync((string)seed["plugin_name"]!);
        await journey.Wizard.EnterSecretAsync("Secret access key",
            SandboxKeystores.Admin(App, SandboxKeystores.AwsKms, "secret_access_key"));
    }

    private static async Task<JsonNode> ReadJsonAsync(Microsoft.Playwright.ILocator codeBlock)
    {
        await Expect(codeBlock).ToBeVisibleAsync();
        return JsonNode.Parse(await codeBlock.InnerTextAsync())!;
    }
}
