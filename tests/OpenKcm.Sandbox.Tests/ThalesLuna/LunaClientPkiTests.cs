using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenKcm.Sandbox.ThalesLuna;

namespace OpenKcm.Sandbox.Tests.ThalesLuna;

[UnsupportedOSPlatform("windows")]
public sealed class LunaClientPkiTests : LunaSandboxTest
{
    [Fact]
    public async Task ClientCertificate_ChainsToTheCaMatchesItsKeyAndIsValidNow()
    {
        var luna = await StartAvailableAsync();

        using var ca = X509Certificate2.CreateFromPem(luna.CaCertificatePem);
        using var client = X509Certificate2.CreateFromPem(luna.ClientCertificatePem);
        using var key = ECDsa.Create();
        key.ImportFromPem(luna.ClientPrivateKeyPem);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(ca);

        Assert.True(chain.Build(client), string.Join(", ", chain.ChainStatus.Select(s => s.Status)));
        Assert.Equal(client.PublicKey.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());
        Assert.InRange(DateTime.UtcNow, client.NotBefore.ToUniversalTime(), client.NotAfter.ToUniversalTime());
        Assert.Equal("CN=openkcm-console, O=OpenKCM sandbox", client.Subject);
        Assert.Contains("1.3.6.1.5.5.7.3.2", client.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages
            .Cast<Oid>().Select(o => o.Value));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", luna.ClientPrivateKeyPem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrivateKeyFile_IsOwnerOnlyAndHoldsTheKeyOfToolAccess()
    {
        var luna = await StartAvailableAsync();
        var path = Path.Combine(DataDirectory, "thales-luna-pki", "client-private-key.pem");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal(luna.ClientPrivateKeyPem, await File.ReadAllTextAsync(path));
        Assert.Equal(luna.ClientPrivateKeyPem, luna.ToolAccess()["client_private_key"]!.GetValue<string>());
    }

    [Fact]
    public async Task Restart_WithPersistState_KeepsTheCertificatesAndWithoutItIssuesNewOnes()
    {
        var first = await StartAvailableAsync(persist: true);
        var certificate = first.ClientCertificatePem;
        await StopAsync(first);
        var second = await StartAvailableAsync(persist: true);
        var kept = second.ClientCertificatePem;
        await StopAsync(second);

        var third = await StartAvailableAsync();

        Assert.Equal(certificate, kept);
        Assert.NotEqual(certificate, third.ClientCertificatePem);
    }

    [Fact]
    public async Task Restart_WithPersistState_WhenTheKeyFileWasReplaced_IssuesNewCertificatesWithAWarning()
    {
        var first = await StartAvailableAsync(persist: true);
        var certificate = first.ClientCertificatePem;
        await StopAsync(first);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "thales-luna-pki", "client-private-key.pem"), other.ExportPkcs8PrivateKeyPem());

        var second = await StartAvailableAsync(persist: true);

        Assert.NotEqual(certificate, second.ClientCertificatePem);
        Assert.Contains(Logs.Warnings, w => w.Message.Contains("the private key does not belong to the client certificate", StringComparison.Ordinal));
    }
}
