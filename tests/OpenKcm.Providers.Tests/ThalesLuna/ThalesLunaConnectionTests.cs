using System.Security.Cryptography;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.Tests.Pkcs11;
using OpenKcm.Providers.ThalesLuna;

namespace OpenKcm.Providers.Tests.ThalesLuna;

/// <summary>Key operations through the plugin contract against a real SoftHSM2 token.</summary>
[Collection(SoftHsmCollection.Name)]
public sealed class ThalesLunaConnectionTests(SoftHsm hsm) : IDisposable
{
    private readonly NtlsListeners _ntls = new();
    private readonly ThalesLunaPlugin _plugin = new(TimeProvider.System);

    [Fact]
    public async Task Wrap_ThenUnwrap_GivesTheMaterialBackInTheDocumentedFormat()
    {
        hsm.Require();
        await using var connection = await ConnectAsync();
        var material = RandomNumberGenerator.GetBytes(32);
        var wrapped = await connection.WrapAsync(material, "tenant-a"u8.ToArray(), CancellationToken.None);

        Assert.Equal(1 + 12 + 32 + 16, wrapped.Length);
        Assert.Equal(1, wrapped[0]);
        Assert.Equal(material, await connection.UnwrapAsync(wrapped, "tenant-a"u8.ToArray(), CancellationToken.None));

        var again = await connection.WrapAsync(material, "tenant-a"u8.ToArray(), CancellationToken.None);
        Assert.NotEqual(wrapped.AsSpan(1, 12).ToArray(), again.AsSpan(1, 12).ToArray());
    }

    [Fact]
    public async Task Unwrap_OtherAssociatedData_IsInvalidResponseAndNotRetryable()
    {
        hsm.Require();
        await using var connection = await ConnectAsync();
        var wrapped = await connection.WrapAsync(new byte[32], "tenant-a"u8.ToArray(), CancellationToken.None);
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => connection.UnwrapAsync(wrapped, "tenant-b"u8.ToArray(), CancellationToken.None));
        Assert.Equal(KeystoreErrorKind.InvalidResponse, ex.Kind);
        Assert.False(ex.IsRetryable);
        await connection.ProbeAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]
    public async Task Unwrap_NotALunaValue_IsKeyNotFoundBeforeReachingTheHsm(byte[] wrapped)
    {
        hsm.Require();
        await using var connection = await ConnectAsync();
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => connection.UnwrapAsync(wrapped, default, CancellationToken.None));
        Assert.Equal(KeystoreErrorKind.KeyNotFound, ex.Kind);
    }

    [Fact]
    public async Task Connection_ParallelWrapUnwrap_AllRoundTripAndNoSessionLeaks()
    {
        hsm.Require();
        var opens = hsm.Module.OpenSessionCalls;
        var closes = hsm.Module.CloseSessionCalls;
        var connection = (ThalesLunaConnection)await ConnectAsync();
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                var material = RandomNumberGenerator.GetBytes(32);
                var aad = BitConverter.GetBytes((t * 1000) + i);
                var wrapped = await connection.WrapAsync(material, aad, CancellationToken.None);
                Assert.Equal(material, await connection.UnwrapAsync(wrapped, aad, CancellationToken.None));
            }
        }));
        await Task.WhenAll(tasks).WaitAsync(LunaChecks.Guard);

        Assert.InRange(connection.Pool.OpenSessions, 1, 16);
        await connection.DisposeAsync();
        Assert.Equal(0, connection.Pool.OpenSessions);
        Assert.Equal(hsm.Module.OpenSessionCalls - opens, hsm.Module.CloseSessionCalls - closes);
        Assert.True(hsm.NoSessionsOpen(SoftHsm.MainToken));
    }

    [Fact]
    public async Task Connection_SessionsClosedUnderneath_NextWrapSucceeds()
    {
        hsm.Require();
        await using var connection = await ConnectAsync();
        await connection.ProbeAsync(CancellationToken.None);
        hsm.Module.CloseAllSessions(hsm.Slot(SoftHsm.MainToken));

        var wrapped = await connection.WrapAsync(new byte[] { 7 }, default, CancellationToken.None);
        Assert.Equal(new byte[] { 7 }, await connection.UnwrapAsync(wrapped, default, CancellationToken.None));
    }

    [Fact]
    public async Task Describe_GivesTheSeedShapeWithoutInventingAFipsLevel()
    {
        hsm.Require();
        var settings = LunaTestSettings.For(_ntls.Port, addresses: "127.0.0.1\n127.0.0.2\n127.0.0.3");
        await using var connection = await _plugin.ConnectAsync(settings, LunaTestSettings.Secrets(), CancellationToken.None);
        var description = await connection.DescribeAsync(CancellationToken.None);

        Assert.Equal("active", (string?)description["plugin_status"]);
        Assert.Equal(["127.0.0.1:online", "127.0.0.2:standby", "127.0.0.3:offline"],
            description["hsm_appliances"]!.AsArray().Select(n => (string?)n));
        Assert.Contains("not the HA group's own state", (string?)description["hsm_appliances_note"], StringComparison.Ordinal);
        Assert.Equal("authenticated", (string?)description["partition_status"]);
        Assert.False(description.ContainsKey("fips_level"));
        Assert.Contains("CK_TOKEN_INFO has no FIPS field", (string?)description["fips_level_note"], StringComparison.Ordinal);
        Assert.True((double)description["latency_ms"]! >= 0);
    }

    [Fact]
    public async Task Connect_WrongPin_IsAuthenticationFailedAfterOneLogin()
    {
        hsm.Require();
        var before = hsm.Module.LoginCalls;
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => _plugin.ConnectAsync(
            LunaTestSettings.For(_ntls.Port, partition: SoftHsm.PinToken), LunaTestSettings.Secrets(pin: "wrong-1"), CancellationToken.None));
        Assert.Equal(KeystoreErrorKind.AuthenticationFailed, ex.Kind);
        Assert.Equal("CKR_PIN_INCORRECT", ex.VendorCode);
        Assert.Equal(1, hsm.Module.LoginCalls - before);
    }

    [Fact]
    public async Task Wrap_AfterTheL1KeyWasReplacedUnderTheSameLabel_FindsTheNewKey()
    {
        hsm.Require();
        using (var session = hsm.OpenUserSession(SoftHsm.ScratchToken))
        {
            foreach (var old in session.FindSecretKeys(SoftHsm.L1Key, 16))
            {
                session.DestroyObject(old);
            }

            SoftHsm.GenerateAes(session, SoftHsm.L1Key, 32);
        }

        await using var connection = await _plugin.ConnectAsync(LunaTestSettings.For(_ntls.Port, partition: SoftHsm.ScratchToken),
            LunaTestSettings.Secrets(), CancellationToken.None);
        var before = await connection.WrapAsync(new byte[32], "a"u8.ToArray(), CancellationToken.None);

        using (var session = hsm.OpenUserSession(SoftHsm.ScratchToken))
        {
            session.DestroyObject(Assert.Single(session.FindSecretKeys(SoftHsm.L1Key, 2)));
            SoftHsm.GenerateAes(session, SoftHsm.L1Key, 32);
        }

        var after = await connection.WrapAsync(new byte[32], "a"u8.ToArray(), CancellationToken.None);
        Assert.Equal(new byte[32], await connection.UnwrapAsync(after, "a"u8.ToArray(), CancellationToken.None));
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => connection.UnwrapAsync(before, "a"u8.ToArray(), CancellationToken.None));
        Assert.Equal(KeystoreErrorKind.InvalidResponse, ex.Kind);
    }

    [Fact]
    public async Task Connect_LibraryIsNotPkcs11_IsInvalidConfiguration()
    {
        hsm.Require();
        var libz = Pkcs11ModuleLoadTests.FindLibz();
        var plugin = new ThalesLunaPlugin(TimeProvider.System, new ThalesLunaOptions { AllowedLibraryPaths = [libz] });
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => plugin.ConnectAsync(
            LunaTestSettings.For(_ntls.Port, library: libz), LunaTestSettings.Secrets(), CancellationToken.None));
        Assert.Equal(KeystoreErrorKind.InvalidConfiguration, ex.Kind);
        Assert.Contains("C_GetFunctionList", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_NoPinStored_IsInvalidConfiguration()
    {
        hsm.Require();
        var generation = hsm.Module.Generation;
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => _plugin.ConnectAsync(
            LunaTestSettings.For(_ntls.Port), InMemorySecretResolver.None, CancellationToken.None));
        Assert.Equal(KeystoreErrorKind.InvalidConfiguration, ex.Kind);
        Assert.Equal(generation, hsm.Module.Generation);
    }

    [Fact]
    public async Task Connect_NoKeyWithTheLabel_IsKeyNotFound()
    {
        hsm.Require();
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => _plugin.ConnectAsync(
            LunaTestSettings.For(_ntls.Port, key: "absent"), LunaTestSettings.Secrets(), CancellationToken.None));
        Assert.Equal(KeystoreErrorKind.KeyNotFound, ex.Kind);
        Assert.True(hsm.NoSessionsOpen(SoftHsm.MainToken));
    }

    public void Dispose() => _ntls.Dispose();

    private Task<IKeystoreConnection> ConnectAsync() =>
        _plugin.ConnectAsync(LunaTestSettings.For(_ntls.Port), LunaTestSettings.Secrets(), CancellationToken.None);
}
