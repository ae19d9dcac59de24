using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// Journey 1 (design.md) for Thales Luna (issue 4): onboard the sandbox's SoftHSM2-backed "Luna" partition with its two
/// appliances from Plugin Configuration to the dashboard, and see an appliance taken off the network named in the
/// connectivity check.
/// </summary>
/// <remarks>
/// SoftHSM2 reads SOFTHSM2_CONF at C_Initialize; the console's PKCS#11 layer runs C_Finalize when the last lease on the
/// module is released (the fixture's console disposes its keystore connections when it stops), so each console fixture
/// in this test process initializes the module afresh and sees its own sandbox token. The wrong-PIN journey is in
/// <see cref="LunaWrongPinTests"/>: PKCS#11 login state is per application, so it needs a console in which no Luna
/// keystore is active (and logged in), whatever order the tests of this class run in.
/// </remarks>
public sealed class LunaOnboardingTests(BootstrappedConsoleFixture app) : BrowserTest<BootstrappedConsoleFixture>(app)
{
    internal const string TypeName = "Thales Luna Network HSM";
    internal const string ClientCertificate = "Client certificate";
    internal const string NetworkConnectivity = "Network connectivity";
    internal const string Pkcs11Interface = "PKCS#11 interface";
    internal const string Login = "Partition login";
    internal const string KeyAccess = "L1 key access";
    internal const string EncryptDecrypt = "Encrypt / decrypt round trip";
    internal const string Latency = "Latency";

    [Fact]
    public Task Administrator_OnboardsTheSandboxLuna_EveryCheckPassesActivatesVerifiesAndTurnsHealthy() => RunAsync(async () =>
    {
        const string name = "journey_thales_luna";
        var seed = SandboxKeystores.ImportEntry(App, SandboxKeystores.ThalesLuna, name);
        var partition = SandboxKeystores.Setting(seed, "partition_label");
        var keyLabel = SandboxKeystores.Setting(seed, "key_label");
        var journey = new KeystoreJourney(Page, App.Context);
        var wizard = journey.Wizard;
        await journey.SignInAsync();
        await journey.OpenConfigurationAsync(TypeName);
        await ImportWithSecretsAsync(App, journey, seed, SandboxKeystores.Admin(App, SandboxKeystores.ThalesLuna, "pin"));
        await Screenshots.SaveAsync(Page, "thales_luna-0a-configuration");
        await journey.SaveConfigurationAsync();
        await Screenshots.SaveAsync(Page, "thales_luna-0b-setup");

        // The setup step renders the lunash/lunacm commands from the configuration.
        var partitionCommands = wizard.GuidanceBlock(new Regex(@"^1\. Partition and Crypto Officer"));
        await Expect(partitionCommands).ToContainTextAsync($"partition create -partition {partition}");
        await Expect(partitionCommands).ToContainTextAsync($"clientIdentificationPolicy create -partition {partition}");
        var registration = wizard.GuidanceBlock(new Regex(@"^2\. Register this console"));
        await Expect(registration).ToContainTextAsync("# lunash on 127.0.0.1");
        await Expect(registration).ToContainTextAsync("# lunash on 127.0.0.2");
        await Expect(registration).ToContainTextAsync($"client assignPartition -client");
        await Expect(wizard.GuidanceBlock(new Regex(@"^4\. The L1 key"))).ToContainTextAsync("-extractable=0");

        await journey.RunTestConnectionAsync();
        await Expect(wizard.TestOutcome).ToHaveTextAsync("All checks passed. This version can be activated.");
        await journey.ExpectChecksAsync((ClientCertificate, "Passed"), (NetworkConnectivity, "Passed"), (Pkcs11Interface, "Passed"),
            (Login, "Passed"), (KeyAccess, "Passed"), (EncryptDecrypt, "Passed"), (Latency, "Passed"));
        var port = SandboxKeystores.Host(App).Luna!.NtlsPort;
        await Expect(wizard.Check(NetworkConnectivity)).ToContainTextAsync(new Regex($@"127\.0\.0\.1:{port} online .*127\.0\.0\.2:{port} standby"));
        await Expect(wizard.Check(KeyAccess)).ToContainTextAsync($"Key '{keyLabel}': AES-256 secret key");
        await Expect(wizard.Check(KeyAccess)).ToContainTextAsync("never extractable");
        await Expect(wizard.Check(Latency)).ToContainTextAsync("budget 1000 ms at p95");
        await Screenshots.SaveAsync(Page, "thales_luna-1-test-connection-passed");

        var result = await journey.ActivateAsync(name);
        Assert.Equal("active", (string?)result["plugin_status"]);
        Assert.Equal(["127.0.0.1:online", "127.0.0.2:standby"], result["hsm_appliances"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("authenticated", (string?)result["partition_status"]);
        Assert.Equal(keyLabel, (string?)result["key_label"]);
        Assert.NotNull((double?)result["latency_ms"]);

        await journey.VerifyL1Async(name);
        await Screenshots.SaveAsync(Page, "thales_luna-2-activation-result");
        await Expect(Page.Locator("body")).Not.ToContainTextAsync(SandboxKeystores.Admin(App, SandboxKeystores.ThalesLuna, "pin"));
        await journey.ExpectHealthyOnDashboardWithoutReloadAsync(name);
        AssertNoBrowserErrors();
    });

    [Fact]
    public Task TestConnection_ApplianceBTakenDownOnTheSandboxPage_ConnectivityWarnsNaming127002Offline() => RunAsync(async () =>
    {
        const string name = "luna_appliance_down";
        var seed = SandboxKeystores.ImportEntry(App, SandboxKeystores.ThalesLuna, name);
        var port = SandboxKeystores.Host(App).Luna!.NtlsPort;
        var journey = new KeystoreJourney(Page, App.Context);
        var wizard = journey.Wizard;
        await journey.SignInAsync();
        await journey.OpenConfigurationAsync(TypeName);
        await ImportWithSecretsAsync(App, journey, seed, SandboxKeystores.Admin(App, SandboxKeystores.ThalesLuna, "pin"));
        await journey.SaveConfigurationAsync();

        var sandboxTab = await App.Context.NewPageAsync();
        try
        {
            var sandbox = new SandboxPage(sandboxTab);
            await sandbox.GotoAsync();
            await sandbox.ExpectShownAsync();
            var applianceB = sandbox.Emulator("thales_luna_b");
            await applianceB.Down.CheckAsync();
            await applianceB.ApplyButton.ClickAsync();
            await Expect(applianceB.State).ToHaveTextAsync("Now: down (connections refused).");

            await journey.RunTestConnectionAsync();
            await Expect(wizard.TestOutcome).ToHaveTextAsync("All checks passed, with warnings. This version can be activated.");
            await journey.ExpectChecksAsync((ClientCertificate, "Passed"), (NetworkConnectivity, "Warning"), (Pkcs11Interface, "Passed"),
                (Login, "Passed"), (KeyAccess, "Passed"), (EncryptDecrypt, "Passed"), (Latency, "Passed"));
            var connectivity = wizard.Check(NetworkConnectivity);
            await Expect(connectivity).ToContainTextAsync($"127.0.0.1:{port} online");
            await Expect(connectivity).ToContainTextAsync($"127.0.0.2:{port} offline: connection refused");
            await Expect(connectivity).ToContainTextAsync("127.0.0.2 is offline: the HA group runs without redundancy");
            await Screenshots.SaveAsync(Page, "thales_luna-3-test-connection-appliance-down");
        }
        finally
        {
            await sandboxTab.CloseAsync();
            // Leave both appliances listening for the class's other tests whatever happened above.
            await SandboxKeystores.Host(App).Luna!.Appliances[1].Faults.ResetAsync();
        }

        AssertNoBrowserErrors();
    });

    /// <summary>
    /// Imports the manifest entry (certificates included), then types the Crypto Officer PIN and pastes the client
    /// private key: the two secrets the import never carries.
    /// </summary>
    internal static async Task ImportWithSecretsAsync(ConsoleAppFixture app, KeystoreJourney journey, JsonObject seed, string pin)
    {
        var wizard = journey.Wizard;
        await wizard.ImportAsync(seed.ToJsonString());
        await Expect(wizard.Field("Name (plugin_name)")).ToHaveValueAsync((string)seed["plugin_name"]!);
        await Expect(wizard.ConfigField("HSM appliance addresses")).ToHaveValueAsync("127.0.0.1\n127.0.0.2");
        await wizard.EnterSecretAsync("Crypto Officer PIN", pin);
        await wizard.EnterSecretAsync("Client private key",
            SandboxKeystores.Admin(app, SandboxKeystores.ThalesLuna, "client_private_key"));
    }
}
