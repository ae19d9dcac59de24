using OpenKcm.Core.Plugins;
using OpenKcm.Providers.Pkcs11;
using OpenKcm.Providers.Tests.Pkcs11;
using OpenKcm.Providers.ThalesLuna;
using Ids = OpenKcm.Providers.ThalesLuna.ThalesLunaCheckIds;

namespace OpenKcm.Providers.Tests.ThalesLuna;

/// <summary>
/// The PIN is checked even when this process is already logged in to the partition (PKCS#11 login state is per
/// application and token, so the token would not look at a second PIN), and a refused PIN is sent once per process, not
/// once per connection. Against real SoftHSM2, which answers CKR_USER_ALREADY_LOGGED_IN to any PIN while logged in.
/// </summary>
[Collection(SoftHsmCollection.Name)]
public sealed class ThalesLunaPinTests(SoftHsm hsm) : IDisposable
{
    private readonly NtlsListeners _ntls = new();
    private readonly ThalesLunaPlugin _plugin = new(TimeProvider.System);

    [Fact]
    public void Session_WrongPinWhileAnotherSessionIsLoggedIn_IsRefusedWithoutCLogin()
    {
        hsm.Require();
        using var first = hsm.OpenUserSession(SoftHsm.MainToken);
        using var second = hsm.Module.OpenSession(hsm.Slot(SoftHsm.MainToken));
        var before = hsm.Module.LoginCalls;

        var ex = Assert.Throws<Pkcs11Exception>(() => second.Login("9999"u8));

        Assert.Equal(Pkcs11LoginRefusal.DifferentPinLoggedIn, ex.LoginRefusal);
        Assert.True(ex.IsPinFailure);
        Assert.Equal(0, hsm.Module.LoginCalls - before);
        Assert.DoesNotContain("9999", ex.Message, StringComparison.Ordinal);

        // The same PIN counts as logged in: the token accepted it at the first login.
        Assert.False(second.Login(SoftHsm.PinBytes));
        Assert.Equal(0, hsm.Module.LoginCalls - before);
    }

    [Fact]
    public async Task TestConnection_WrongPinWhileAnotherKeystoreIsLoggedIn_FailsAtLoginAndIsNeverShownAsVerified()
    {
        hsm.Require();
        await using var live = await _plugin.ConnectAsync(LunaTestSettings.For(_ntls.Port), LunaTestSettings.Secrets(), CancellationToken.None);
        var before = hsm.Module.LoginCalls;

        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port), LunaTestSettings.Secrets(pin: "typo-1234-user"));

        var failed = LunaChecks.AssertFailedAt(results, Ids.Login, KeystoreErrorKind.AuthenticationFailed);
        Assert.Contains("different PIN", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("deactivate the other keystores", failed.Remedy, StringComparison.Ordinal);
        Assert.DoesNotContain("typo-1234-user", failed.Detail + failed.Remedy, StringComparison.Ordinal);
        Assert.Equal(0, hsm.Module.LoginCalls - before);

        // The live keystore is untouched.
        await live.ProbeAsync(CancellationToken.None);
    }

    [Fact]
    public async Task TestConnection_SamePinWhileAnotherKeystoreIsLoggedIn_PassesAsTheSamePin()
    {
        hsm.Require();
        await using var live = await _plugin.ConnectAsync(LunaTestSettings.For(_ntls.Port), LunaTestSettings.Secrets(), CancellationToken.None);

        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port), LunaTestSettings.Secrets());

        Assert.Equal(CheckOutcome.Passed, results[Ids.Login].Outcome);
        Assert.Contains("same PIN", results[Ids.Login].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_SecondKeystoreWithWrongPinWhileTheFirstIsLoggedIn_IsAuthenticationFailedWithoutCLogin()
    {
        hsm.Require();
        await using var live = await _plugin.ConnectAsync(LunaTestSettings.For(_ntls.Port), LunaTestSettings.Secrets(), CancellationToken.None);
        var before = hsm.Module.LoginCalls;

        for (var i = 0; i < 3; i++)
        {
            var ex = await Assert.ThrowsAsync<KeystoreException>(() => _plugin.ConnectAsync(
                LunaTestSettings.For(_ntls.Port), LunaTestSettings.Secrets(pin: "made-up-0000"), CancellationToken.None));
            Assert.Equal(KeystoreErrorKind.AuthenticationFailed, ex.Kind);
            Assert.Equal("CKR_USER_ALREADY_LOGGED_IN", ex.VendorCode);
            Assert.Contains("different PIN", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, hsm.Module.LoginCalls - before);
    }

    [Fact]
    public async Task Connect_WrongPin_RepeatedConnectsAndTestsSendOneCLoginPerProcess()
    {
        hsm.Require();
        var before = hsm.Module.LoginCalls;
        var settings = LunaTestSettings.For(_ntls.Port, partition: SoftHsm.PinToken);

        // Activation, then what the connection manager does: a new connection for every health probe and key operation.
        for (var i = 0; i < 6; i++)
        {
            var ex = await Assert.ThrowsAsync<KeystoreException>(() => _plugin.ConnectAsync(
                settings, LunaTestSettings.Secrets(pin: "wrong-repeated"), CancellationToken.None));
            Assert.Equal(KeystoreErrorKind.AuthenticationFailed, ex.Kind);
            Assert.Equal("CKR_PIN_INCORRECT", ex.VendorCode);
        }

        var results = await LunaChecks.RunAsync(settings, LunaTestSettings.Secrets(pin: "wrong-repeated"));
        var failed = LunaChecks.AssertFailedAt(results, Ids.Login, KeystoreErrorKind.AuthenticationFailed);
        Assert.Contains("already refused this PIN", failed.Detail, StringComparison.Ordinal);
        Assert.Equal(1, hsm.Module.LoginCalls - before);

        // A different (here: the right) PIN is sent; the connection gets past the login (this token has no L1 key).
        var past = await Assert.ThrowsAsync<KeystoreException>(() => _plugin.ConnectAsync(settings, LunaTestSettings.Secrets(), CancellationToken.None));
        Assert.Equal(KeystoreErrorKind.KeyNotFound, past.Kind);

        Assert.Equal(2, hsm.Module.LoginCalls - before);
        Assert.True(hsm.NoSessionsOpen(SoftHsm.PinToken));
    }

    [Fact]
    public async Task TestConnection_AfterAWrongPinElsewhere_LoginWarnsThatThePinCountIsLow()
    {
        hsm.Require();
        using (var session = hsm.Module.OpenSession(hsm.Slot(SoftHsm.PinToken)))
        {
            var refused = Assert.Throws<Pkcs11Exception>(() => session.Login("wrong-count-low"u8));
            Assert.Equal(Ckr.PinIncorrect, refused.Code);
        }

        Assert.True(Assert.Single(hsm.Module.FindTokens(SoftHsm.PinToken)).UserPinCountLow);

        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, partition: SoftHsm.PinToken), LunaTestSettings.Secrets());

        var login = results[Ids.Login];
        Assert.True(login.Outcome == CheckOutcome.Warning, $"{login.Outcome}: {login.Detail}");
        Assert.Contains("CKF_USER_PIN_COUNT_LOW", login.Detail, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(login.Remedy));
        Assert.True(hsm.NoSessionsOpen(SoftHsm.PinToken));
    }

    [Fact]
    public async Task FinalTry_NoLoginIsTried_ByTestConnectionOrConnect()
    {
        hsm.Require();
        hsm.SetTokenFlag(SoftHsm.FinalTryToken, Ck.CkfUserPinFinalTry);
        Assert.True(Assert.Single(hsm.Module.FindTokens(SoftHsm.FinalTryToken)).UserPinFinalTry);
        var before = hsm.Module.LoginCalls;
        var settings = LunaTestSettings.For(_ntls.Port, partition: SoftHsm.FinalTryToken);

        var results = await LunaChecks.RunAsync(settings, LunaTestSettings.Secrets());
        var failed = LunaChecks.AssertFailedAt(results, Ids.Login, KeystoreErrorKind.AuthenticationFailed);
        Assert.Contains("CKF_USER_PIN_FINAL_TRY", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("role login", failed.Remedy, StringComparison.Ordinal);

        var ex = await Assert.ThrowsAsync<KeystoreException>(() => _plugin.ConnectAsync(settings, LunaTestSettings.Secrets(), CancellationToken.None));
        Assert.Equal(KeystoreErrorKind.AuthenticationFailed, ex.Kind);
        Assert.Equal("CKF_USER_PIN_FINAL_TRY", ex.VendorCode);
        Assert.Equal(0, hsm.Module.LoginCalls - before);
    }

    public void Dispose() => _ntls.Dispose();
}
