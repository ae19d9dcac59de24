using OpenKcm.Core.Plugins;
using OpenKcm.Providers.Tests.Pkcs11;
using OpenKcm.Providers.ThalesLuna;
using F = OpenKcm.Providers.ThalesLuna.ThalesLunaFieldNames;
using Ids = OpenKcm.Providers.ThalesLuna.ThalesLunaCheckIds;

namespace OpenKcm.Providers.Tests.ThalesLuna;

/// <summary>Test Connection against real SoftHSM2 tokens and loopback stand-ins for the appliances' NTLS ports.</summary>
[Collection(SoftHsmCollection.Name)]
public sealed class ThalesLunaTestConnectionTests(SoftHsm hsm) : IDisposable
{
    private readonly NtlsListeners _ntls = new();

    [Fact]
    public async Task TestConnection_EverythingRight_EveryCheckPassesAndNoSessionStaysOpen()
    {
        hsm.Require();
        using var identity = new LunaIdentity();
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, identity: identity),
            LunaTestSettings.Secrets(clientKeyPem: identity.KeyPem));

        LunaChecks.AssertAllPassed(results);
        Assert.Contains("127.0.0.1", results[Ids.NetworkConnectivity].Detail, StringComparison.Ordinal);
        Assert.Contains("online", results[Ids.NetworkConnectivity].Detail, StringComparison.Ordinal);
        Assert.Contains("standby", results[Ids.NetworkConnectivity].Detail, StringComparison.Ordinal);
        Assert.Contains("SoftHSM", results[Ids.Pkcs11Interface].Detail, StringComparison.Ordinal);
        Assert.Contains("never extractable", results[Ids.KeyAccess].Detail, StringComparison.Ordinal);
        Assert.Contains("p95", results[Ids.Latency].Detail, StringComparison.Ordinal);
        Assert.All(results.Values, r => Assert.DoesNotContain(SoftHsm.Pin, r.Detail, StringComparison.Ordinal));
        Assert.True(hsm.NoSessionsOpen(SoftHsm.MainToken));
    }

    [Fact]
    public async Task TestConnection_RoundTripsOverTheLatencyBudget_WarnsWithPercentilesAndARemedy()
    {
        hsm.Require();
        using var identity = new LunaIdentity();
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, identity: identity),
            LunaTestSettings.Secrets(clientKeyPem: identity.KeyPem), new ThalesLunaOptions { LatencyBudget = TimeSpan.Zero });

        var latency = results[Ids.Latency];
        Assert.Equal(CheckOutcome.Warning, latency.Outcome);
        Assert.Contains("20 wrap+unwrap round trips: p50 ", latency.Detail, StringComparison.Ordinal);
        Assert.Contains("(budget 0 ms at p95)", latency.Detail, StringComparison.Ordinal);
        Assert.Contains("slower than the budget", latency.Remedy, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Passed, results[Ids.EncryptDecrypt].Outcome);
    }

    [Fact]
    public async Task TestConnection_LibraryIsNotPkcs11_FailsAtPkcs11InterfaceAndTheProcessSurvives()
    {
        hsm.Require();
        var libz = Pkcs11ModuleLoadTests.FindLibz();
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, library: libz), LunaTestSettings.Secrets(),
            new ThalesLunaOptions { AllowedLibraryPaths = [libz] });
        var failed = LunaChecks.AssertFailedAt(results, Ids.Pkcs11Interface, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("C_GetFunctionList", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestConnection_LibraryMissing_FailsAtPkcs11Interface()
    {
        hsm.Require();
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, library: F.DefaultLibraryPath), LunaTestSettings.Secrets());
        var failed = LunaChecks.AssertFailedAt(results, Ids.Pkcs11Interface, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("No file", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestConnection_WrongPin_FailsAtLoginOnceAndIsNotRetried()
    {
        hsm.Require();
        var before = hsm.Module.LoginCalls;
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, partition: SoftHsm.PinToken), LunaTestSettings.Secrets(pin: "wrong-4711"));

        var failed = LunaChecks.AssertFailedAt(results, Ids.Login, KeystoreErrorKind.AuthenticationFailed);
        Assert.Contains("wrong PIN", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("not retried", failed.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("4711", failed.Detail + failed.Remedy, StringComparison.Ordinal);
        Assert.Equal(1, hsm.Module.LoginCalls - before);
    }

    [Fact]
    public async Task TestConnection_NoPinStored_FailsAtLoginWithoutCallingCLogin()
    {
        hsm.Require();
        var before = hsm.Module.LoginCalls;
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port), InMemorySecretResolver.None);
        LunaChecks.AssertFailedAt(results, Ids.Login, KeystoreErrorKind.InvalidConfiguration);
        Assert.Equal(0, hsm.Module.LoginCalls - before);
    }

    [Fact]
    public async Task TestConnection_NoTokenWithTheLabel_FailsAtPkcs11InterfaceNamingWhatIsThere()
    {
        hsm.Require();
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, partition: "no_such_partition"), LunaTestSettings.Secrets());
        var failed = LunaChecks.AssertFailedAt(results, Ids.Pkcs11Interface, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("'no_such_partition'", failed.Detail, StringComparison.Ordinal);
        Assert.Contains($"'{SoftHsm.MainToken}'", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestConnection_NoKeyWithTheLabel_FailsAtKeyAccess()
    {
        hsm.Require();
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, key: "no-such-key"), LunaTestSettings.Secrets());
        var failed = LunaChecks.AssertFailedAt(results, Ids.KeyAccess, KeystoreErrorKind.KeyNotFound);
        Assert.Contains("No secret key labelled 'no-such-key'", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestConnection_TwoKeysWithTheLabel_FailsAtKeyAccessCountingThem()
    {
        hsm.Require();
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, key: SoftHsm.DuplicateKey), LunaTestSettings.Secrets());
        var failed = LunaChecks.AssertFailedAt(results, Ids.KeyAccess, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("2 secret keys", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("exactly one", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestConnection_ExtractableKey_FailsAtKeyAccessSayingItCanLeaveTheHsm()
    {
        hsm.Require();
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, key: SoftHsm.ExtractableKey), LunaTestSettings.Secrets());
        var failed = LunaChecks.AssertFailedAt(results, Ids.KeyAccess, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("CKA_EXTRACTABLE is true", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("exported from the HSM", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestConnection_NonSensitiveKey_FailsAtKeyAccess()
    {
        hsm.Require();
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, key: SoftHsm.NonSensitiveKey), LunaTestSettings.Secrets());
        var failed = LunaChecks.AssertFailedAt(results, Ids.KeyAccess, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("CKA_SENSITIVE is false", failed.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SoftHsm.GenericKey, "CKK_GENERIC_SECRET key, not AES")]
    [InlineData(SoftHsm.ShortKey, "AES-128, not AES-256")]
    [InlineData(SoftHsm.EncryptOnlyKey, "CKA_DECRYPT is not true")]
    public async Task TestConnection_KeyOfWrongTypeSizeOrUse_FailsAtKeyAccess(string key, string expected)
    {
        hsm.Require();
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, key: key), LunaTestSettings.Secrets());
        var failed = results[Ids.KeyAccess];
        Assert.Equal(CheckOutcome.Failed, failed.Outcome);
        Assert.Contains(expected, failed.Detail, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Skipped, results[Ids.EncryptDecrypt].Outcome);
    }

    [Fact]
    public async Task TestConnection_OneApplianceOffline_WarnsNamingItAndGoesOn()
    {
        hsm.Require();
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, addresses: "127.0.0.1\n127.0.0.3"), LunaTestSettings.Secrets());
        var network = results[Ids.NetworkConnectivity];
        Assert.Equal(CheckOutcome.Warning, network.Outcome);
        Assert.Contains($"127.0.0.3:{_ntls.Port} offline: connection refused", network.Detail, StringComparison.Ordinal);
        Assert.Contains("127.0.0.3 is offline", network.Remedy, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Passed, results[Ids.Latency].Outcome);
    }

    [Fact]
    public async Task TestConnection_AllAppliancesOffline_FailsAtNetworkConnectivity()
    {
        hsm.Require();
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, addresses: "127.0.0.3"), LunaTestSettings.Secrets());
        var failed = LunaChecks.AssertFailedAt(results, Ids.NetworkConnectivity, KeystoreErrorKind.Unreachable);
        Assert.Contains("127.0.0.3", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestConnection_SlotIdDisagrees_WarnsAndGoesOn()
    {
        hsm.Require();
        var settings = LunaTestSettings.For(_ntls.Port).With(F.SlotId, "1");
        var results = await LunaChecks.RunAsync(settings, LunaTestSettings.Secrets());
        var pkcs11 = results[Ids.Pkcs11Interface];
        Assert.Equal(CheckOutcome.Warning, pkcs11.Outcome);
        Assert.Contains($"slot id 1 does not match: the partition is in slot {hsm.Slot(SoftHsm.MainToken)}", pkcs11.Detail, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Passed, results[Ids.Latency].Outcome);
    }

    [Fact]
    public async Task TestConnection_SlotIdAgrees_Passes()
    {
        hsm.Require();
        var settings = LunaTestSettings.For(_ntls.Port).With(F.SlotId, hsm.Slot(SoftHsm.MainToken).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var results = await LunaChecks.RunAsync(settings, LunaTestSettings.Secrets());
        Assert.Equal(CheckOutcome.Passed, results[Ids.Pkcs11Interface].Outcome);
    }

    [Fact]
    public async Task TestConnection_PrivateKeyNotOfTheCertificate_FailsAtClientCertificates()
    {
        hsm.Require();
        using var identity = new LunaIdentity();
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, identity: identity),
            LunaTestSettings.Secrets(clientKeyPem: LunaIdentity.OtherKeyPem()));
        var failed = LunaChecks.AssertFailedAt(results, Ids.ClientCertificates, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("does not belong to the client certificate", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestConnection_PrivateKeyIsNotAKey_FailsWithoutQuotingIt()
    {
        hsm.Require();
        using var identity = new LunaIdentity();
        const string Garbage = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXZhbHVlLTEyMw==\n-----END PRIVATE KEY-----\n";
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, identity: identity),
            LunaTestSettings.Secrets(clientKeyPem: Garbage));
        var failed = LunaChecks.AssertFailedAt(results, Ids.ClientCertificates, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("could not be read", failed.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestConnection_CertificateNotFromTheCa_FailsAtClientCertificates()
    {
        hsm.Require();
        using var identity = new LunaIdentity();
        using var otherCa = new LunaIdentity();
        var settings = LunaTestSettings.For(_ntls.Port, identity: identity).With(F.CaCertificate, otherCa.CaPem);
        var results = await LunaChecks.RunAsync(settings, LunaTestSettings.Secrets(clientKeyPem: identity.KeyPem));
        var failed = LunaChecks.AssertFailedAt(results, Ids.ClientCertificates, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("not issued by the CA", failed.Detail, StringComparison.Ordinal);
    }

    public void Dispose() => _ntls.Dispose();
}
