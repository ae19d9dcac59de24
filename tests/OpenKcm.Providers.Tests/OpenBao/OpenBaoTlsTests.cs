using OpenKcm.Core.Plugins;
using OpenKcm.Providers.OpenBao;
using OpenKcm.Providers.Tests.Support;

namespace OpenKcm.Providers.Tests.OpenBao;

/// <summary>
/// https through a TLS-terminating relay in front of the emulator, with a certificate from a private CA: the
/// configured CA is trusted (and only it), validation stays on.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes it through IAsyncLifetime.DisposeAsync.")]
public sealed class OpenBaoTlsTests : IAsyncLifetime
{
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _ca = TestCertificates.CreateCa();
    private OpenBaoSandbox _sandbox = null!;
    private TlsTerminatingProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await OpenBaoSandbox.StartAsync();
        _proxy = new TlsTerminatingProxy(TestCertificates.CreateServer(_ca), _sandbox.Emulator.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _sandbox.DisposeAsync();
        _ca.Dispose();
    }

    private KeystoreSettings Settings(string host = "127.0.0.1") =>
        _sandbox.Settings().With(OpenBaoFieldNames.VaultAddress, _proxy.Address(host).ToString());

    [Fact]
    public async Task TestConnection_ConfiguredCa_TrustsTheServerAndPassesEveryCheck()
    {
        var settings = Settings().With(OpenBaoFieldNames.CaCertificate, TestCertificates.Pem(_ca));

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), settings, _sandbox.Secrets());

        CheckResults.AssertAllPassed(results);
        Assert.Contains("configured CA", results[OpenBaoCheckIds.ServerHealth].Detail);
    }

    [Fact]
    public async Task TestConnection_NoCaConfigured_RejectsThePrivateCertificate()
    {
        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), Settings(), _sandbox.Secrets());

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.ServerHealth, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("TLS", failed.Detail);
        Assert.Contains("ca_certificate", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_AnotherCa_RejectsTheCertificate()
    {
        using var other = TestCertificates.CreateCa("Some Other CA");
        var settings = Settings().With(OpenBaoFieldNames.CaCertificate, TestCertificates.Pem(other));

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), settings, _sandbox.Secrets());

        CheckResults.AssertFailedAt(results, OpenBaoCheckIds.ServerHealth, KeystoreErrorKind.InvalidConfiguration);
    }

    [Fact]
    public async Task Connect_ConfiguredCaByHostName_WrapsAndUnwraps()
    {
        var settings = Settings("localhost").With(OpenBaoFieldNames.CaCertificate, TestCertificates.Pem(_ca));

        await using var connection = await OpenBaoTestSettings.Plugin().ConnectAsync(settings, _sandbox.Secrets(), CancellationToken.None);

        await connection.ProbeAsync(CancellationToken.None);
    }

    [Fact]
    public void HandlerPool_SameAddressAndCa_SharesOneHandler()
    {
        var options = new OpenBaoOptions();
        using var pool = new OpenBaoHandlerPool(options);
        var address = new Uri("https://openbao.company.internal:8200/");
        using var ca = TestCertificates.CreateCa();
        Assert.True(CaCertificateParser.TryParse(TestCertificates.Pem(ca), out var certificates, out _));

        using (pool.CreateClient(address, certificates))
        using (pool.CreateClient(address, certificates))
        using (pool.CreateClient(address, []))
        using (pool.CreateClient(new Uri("https://openbao-dr.company.internal:8200/"), []))
        {
            Assert.Equal(3, pool.Count);
        }
    }
}
