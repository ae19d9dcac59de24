using System.Collections.Immutable;
using Microsoft.Extensions.Configuration;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.Tests.Pkcs11;
using OpenKcm.Providers.ThalesLuna;
using F = OpenKcm.Providers.ThalesLuna.ThalesLunaFieldNames;
using Ids = OpenKcm.Providers.ThalesLuna.ThalesLunaCheckIds;

namespace OpenKcm.Providers.Tests.ThalesLuna;

/// <summary>
/// Only libraries on the server-side allowlist are loaded: loading one runs its code in the console. libz stands for
/// "some other library on the host": it is a real shared object, so without the allowlist the loader would open it.
/// </summary>
[Collection(SoftHsmCollection.Name)]
public sealed class ThalesLunaLibraryAllowlistTests(SoftHsm hsm) : IDisposable
{
    private readonly NtlsListeners _ntls = new();

    [Fact]
    public void Validate_LibraryNotOnTheAllowlist_IsAFieldErrorNamingTheSetting()
    {
        var plugin = new ThalesLunaPlugin(TimeProvider.System);
        var errors = plugin.Validate(LunaTestSettings.For(1792, library: Pkcs11ModuleLoadTests.FindLibz()),
            ImmutableHashSet.Create(F.PartitionPin));

        var error = Assert.Single(errors, e => e.Field == F.Pkcs11LibraryPath);
        Assert.Contains("OpenKcm:ThalesLuna:AllowedLibraryPaths", error.Message, StringComparison.Ordinal);
        Assert.Empty(plugin.Validate(LunaTestSettings.For(1792), ImmutableHashSet.Create(F.PartitionPin)));
    }

    [Fact]
    public async Task TestConnection_LibraryNotOnTheAllowlist_FailsAtPkcs11InterfaceWithoutLoadingIt()
    {
        hsm.Require();
        var results = await LunaChecks.RunAsync(LunaTestSettings.For(_ntls.Port, library: Pkcs11ModuleLoadTests.FindLibz()),
            LunaTestSettings.Secrets());

        var failed = LunaChecks.AssertFailedAt(results, Ids.Pkcs11Interface, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("not one of the PKCS#11 libraries", failed.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("C_GetFunctionList", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("AllowedLibraryPaths", failed.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_LibraryNotOnTheAllowlist_IsInvalidConfigurationWithoutLoadingIt()
    {
        hsm.Require();
        var plugin = new ThalesLunaPlugin(TimeProvider.System, new ThalesLunaOptions { AllowedLibraryPaths = [F.DefaultLibraryPath] });

        // SoftHSM is a real PKCS#11 module, but this console allows only the Luna client.
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => plugin.ConnectAsync(LunaTestSettings.For(_ntls.Port),
            LunaTestSettings.Secrets(), CancellationToken.None));
        Assert.Equal(KeystoreErrorKind.InvalidConfiguration, ex.Kind);
        Assert.Equal("LibraryNotAllowed", ex.VendorCode);
    }

    [Fact]
    public void Options_BindFromTheConsoleConfigurationSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{ThalesLunaOptions.Section}:AllowedLibraryPaths:0"] = "/opt/luna/lib/libCryptoki2.so",
            [$"{ThalesLunaOptions.Section}:MaxSessions"] = "30",
        }).Build();

        var options = configuration.GetSection(ThalesLunaOptions.Section).Get<ThalesLunaOptions>()!;

        Assert.Equal(["/opt/luna/lib/libCryptoki2.so"], options.EffectiveAllowedLibraryPaths);
        Assert.Equal(30, options.MaxSessions);
        Assert.Contains(SoftHsm.ModulePath, new ThalesLunaOptions().EffectiveAllowedLibraryPaths);
    }

    public void Dispose() => _ntls.Dispose();
}
