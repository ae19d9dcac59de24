using OpenKcm.E2E.Infrastructure;
using OpenKcm.Providers.Pkcs11;
using static Microsoft.Playwright.Assertions;
using L = OpenKcm.E2E.Journeys.LunaOnboardingTests;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// A wrong Crypto Officer PIN reads as such in the browser and is not retried (issue 4, bad input).
/// </summary>
/// <remarks>
/// A console of its own, in which no Luna keystore is ever activated, so the HSM itself answers the wrong PIN
/// (CKR_PIN_INCORRECT). PKCS#11 login state belongs to the application: while another keystore on the same partition is
/// logged in, the console does not send C_Login but compares the PIN with the one that logged in and fails the check
/// with "a different PIN" (covered against SoftHSM2 by ThalesLunaPinTests in the Providers tests).
/// </remarks>
public sealed class LunaWrongPinTests(BootstrappedConsoleFixture app) : BrowserTest<BootstrappedConsoleFixture>(app)
{
    [Fact]
    public Task TestConnection_WrongCryptoOfficerPin_LoginFailsSayingThePinWasRefusedAndNotRetried() => RunAsync(async () =>
    {
        const string name = "luna_wrong_pin";
        var seed = SandboxKeystores.ImportEntry(App, SandboxKeystores.ThalesLuna, name);
        var pin = SandboxKeystores.Admin(App, SandboxKeystores.ThalesLuna, "pin");
        var journey = new KeystoreJourney(Page, App.Context);
        var wizard = journey.Wizard;
        await journey.SignInAsync();
        await journey.OpenConfigurationAsync(L.TypeName);
        await L.ImportWithSecretsAsync(App, journey, seed, "9" + pin);
        await journey.SaveConfigurationAsync();

        // A lease on the console's own module (the same process) to read how many C_Login calls the run makes.
        using var module = Pkcs11Module.Load(SandboxKeystores.Setting(seed, "pkcs11_library_path"));
        var loginsBefore = module.LoginCalls;
        await journey.RunTestConnectionAsync();

        await Expect(wizard.TestOutcome).ToHaveTextAsync($"Test failed at “{L.Login}”. Fix the cause and run the test again.");
        await journey.ExpectChecksAsync((L.ClientCertificate, "Passed"), (L.NetworkConnectivity, "Passed"), (L.Pkcs11Interface, "Passed"),
            (L.Login, "Failed"), (L.KeyAccess, "Skipped"), (L.EncryptDecrypt, "Skipped"), (L.Latency, "Skipped"));
        var login = wizard.Check(L.Login);
        await Expect(login).ToContainTextAsync("wrong PIN (CKR_PIN_INCORRECT), not retried");
        await Expect(login).ToContainTextAsync("the partition locks after a few wrong PINs");
        Assert.Equal(1, module.LoginCalls - loginsBefore);
        // The PIN that was typed appears nowhere on the page.
        await Expect(Page.Locator("body")).Not.ToContainTextAsync("9" + pin);
        await Screenshots.SaveAsync(Page, "thales_luna-4-test-connection-wrong-pin");
        AssertNoBrowserErrors();
    });
}
