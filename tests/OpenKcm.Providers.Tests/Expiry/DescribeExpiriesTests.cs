using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.AwsKms;
using OpenKcm.Providers.OpenBao;
using OpenKcm.Providers.Tests.OpenBao;
using OpenKcm.Providers.Tests.Support;
using OpenKcm.Providers.Tests.ThalesLuna;
using OpenKcm.Providers.ThalesLuna;
using F = OpenKcm.Providers.ThalesLuna.ThalesLunaFieldNames;

namespace OpenKcm.Providers.Tests.Expiry;

public sealed class DescribeExpiriesTests
{
    [Fact]
    public void ThalesLuna_ClientAndCaCertificates_ReportsBothWithTheirNotAfter()
    {
        var notAfter = new DateTimeOffset(DateTime.UtcNow.AddDays(12).Date, TimeSpan.Zero);
        using var identity = new LunaIdentity(notAfter: notAfter);
        var settings = KeystoreSettings.Empty.With(F.ClientCertificate, identity.ClientPem).With(F.CaCertificate, identity.CaPem);

        var items = new ThalesLunaPlugin(TimeProvider.System).DescribeExpiries(settings);

        Assert.Equal(2, items.Count);
        var client = Assert.Single(items, i => i.What == "client certificate");
        Assert.Equal(notAfter, client.NotAfter);
        Assert.Equal("CN=openkcm-console", client.Subject);
        var ca = Assert.Single(items, i => i.What == "CA certificate");
        Assert.Equal(identity.Ca.NotAfter.ToUniversalTime(), ca.NotAfter.UtcDateTime);
        Assert.Equal("CN=Luna Test CA", ca.Subject);
    }

    [Fact]
    public void ThalesLuna_NoCertificatesOrGarbage_ReportsNothingAndDoesNotThrow()
    {
        var plugin = new ThalesLunaPlugin(TimeProvider.System);

        Assert.Empty(plugin.DescribeExpiries(KeystoreSettings.Empty));
        Assert.Empty(plugin.DescribeExpiries(KeystoreSettings.Empty
            .With(F.ClientCertificate, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----")
            .With(F.CaCertificate, "not pem at all")));
    }

    [Fact]
    public void OpenBao_CaBundle_ReportsEveryCertificate()
    {
        using var first = TestCertificates.CreateCa("Bao Root");
        using var second = TestCertificates.CreateCa("Bao Intermediate");
        var settings = OpenBaoTestSettings.Seed()
            .With(OpenBaoFieldNames.CaCertificate, TestCertificates.Pem(first) + "\n" + TestCertificates.Pem(second));

        var items = OpenBaoTestSettings.Plugin().DescribeExpiries(settings);

        Assert.Equal(["CN=Bao Root", "CN=Bao Intermediate"], items.Select(i => i.Subject));
        Assert.All(items, i => Assert.Equal("CA certificate", i.What));
        Assert.Equal(first.NotAfter.ToUniversalTime(), items[0].NotAfter.UtcDateTime);
    }

    [Fact]
    public void OpenBao_WithoutCaCertificate_ReportsNothing()
    {
        Assert.Empty(OpenBaoTestSettings.Plugin().DescribeExpiries(OpenBaoTestSettings.Seed()));
    }

    [Fact]
    public async Task AwsKms_ReportsNothing_CredentialsHaveNoExpiryKnowableOffline()
    {
        await using var provider = new ServiceCollection().AddLogging().AddKeystoreProviders().BuildServiceProvider();
        var plugin = provider.GetServices<IKeystorePlugin>().Single(p => p.Descriptor.Kind == AwsKmsPlugin.PluginKind);

        Assert.Empty(plugin.DescribeExpiries(new KeystoreSettings(ImmutableDictionary<string, string>.Empty)));
    }
}
