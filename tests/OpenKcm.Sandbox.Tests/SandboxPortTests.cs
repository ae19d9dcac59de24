using System.Net;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests;

/// <summary>
/// <see cref="SandboxOptions.OpenBaoPort"/> and <see cref="SandboxOptions.ControlPort"/>: a free port is used, a taken
/// one is never fatal (another port, a warning naming the port and its holder, a manifest naming the port in use).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class SandboxPortTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "openkcm-sandbox-tests", Guid.NewGuid().ToString("N"));
    private readonly CapturedLogs _logs = new();
    private readonly ILoggerFactory _loggers;

    public SandboxPortTests()
    {
        _loggers = _logs.CreateFactory();
    }

    [Fact]
    public async Task StartAsync_WithFreeFixedPorts_ListensOnThem()
    {
        var (openBaoPort, controlPort) = TwoFreePorts();

        await using var host = await StartAsync(openBaoPort, controlPort);

        Assert.Equal(openBaoPort, host.OpenBao.BaseAddress.Port);
        Assert.Equal(controlPort, host.ControlUrl.Port);
        Assert.Equal($"http://127.0.0.1:{openBaoPort}", host.Manifest["openbao"]!["configuration"]!["vault_address"]!.GetValue<string>());
        Assert.Empty(_logs.Warnings);
    }

    [Fact]
    public async Task StartAsync_WithTakenOpenBaoPort_FallsBackToAFreePortThatTheManifestNames()
    {
        var blocker = LoopbackPorts.Occupy();
        try
        {
            await using var host = await StartAsync(openBaoPort: blocker.Port());

            var actual = host.OpenBao.BaseAddress.Port;
            Assert.NotEqual(blocker.Port(), actual);
            var address = host.Manifest["openbao"]!["configuration"]!["vault_address"]!.GetValue<string>();
            Assert.Equal($"http://127.0.0.1:{actual}", address);
            using var api = new VaultApi(new Uri(address));
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("v1/sys/health")).Status);
            var warning = Assert.Single(_logs.Warnings);
            Assert.Contains($"port {actual} instead of {blocker.Port()} (in use by this process)", warning.Message, StringComparison.Ordinal);
        }
        finally
        {
            blocker.Stop();
        }
    }

    [Fact]
    public async Task StartAsync_WithTakenControlPort_FallsBackToAFreePortThatTheManifestNames()
    {
        var blocker = LoopbackPorts.Occupy();
        try
        {
            await using var host = await StartAsync(controlPort: blocker.Port());

            Assert.NotEqual(blocker.Port(), host.ControlUrl.Port);
            Assert.Equal(host.ControlUrl.ToString(), host.Manifest["control_url"]!.GetValue<string>());
            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(host.ControlUrl)).StatusCode);
            var warning = Assert.Single(_logs.Warnings);
            Assert.Contains($"Sandbox control endpoint listens on 127.0.0.1 port {host.ControlUrl.Port} instead of {blocker.Port()}",
                warning.Message, StringComparison.Ordinal);
        }
        finally
        {
            blocker.Stop();
        }
    }

    [Fact]
    public async Task Restart_WithPersistStateWhileTheFixedPortIsStillTaken_KeepsTheFallbackPort()
    {
        var blocker = LoopbackPorts.Occupy();
        try
        {
            int fallback;
            await using (var first = await StartAsync(openBaoPort: blocker.Port(), persist: true))
            {
                fallback = first.OpenBao.BaseAddress.Port;
            }

            await using var second = await StartAsync(openBaoPort: blocker.Port(), persist: true);

            Assert.Equal(fallback, second.OpenBao.BaseAddress.Port);
        }
        finally
        {
            blocker.Stop();
        }
    }

    [Fact]
    public async Task Restart_WithPersistStateOnceTheFixedPortIsFree_ReturnsToIt()
    {
        var blocker = LoopbackPorts.Occupy();
        var port = blocker.Port();
        await using (var first = await StartAsync(openBaoPort: port, persist: true))
        {
            Assert.NotEqual(port, first.OpenBao.BaseAddress.Port);
        }

        blocker.Stop();
        await using var second = await StartAsync(openBaoPort: port, persist: true);

        Assert.Equal(port, second.OpenBao.BaseAddress.Port);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public async Task StartAsync_WithPortOutOfRange_Throws(int port)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => StartAsync(openBaoPort: port));

        Assert.Equal(nameof(SandboxOptions.OpenBaoPort), error.ParamName);
    }

    public void Dispose()
    {
        _loggers.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static (int First, int Second) TwoFreePorts()
    {
        // Held together so the OS cannot hand out the same port twice.
        var first = LoopbackPorts.Occupy();
        var second = LoopbackPorts.Occupy();
        var ports = (first.Port(), second.Port());
        first.Stop();
        second.Stop();
        return ports;
    }

    private Task<SandboxHost> StartAsync(int? openBaoPort = null, int? controlPort = null, bool persist = false) =>
        SandboxHost.StartAsync(new SandboxOptions
        {
            DataDirectory = _directory,
            LoggerFactory = _loggers,
            OpenBaoPort = openBaoPort,
            ControlPort = controlPort,
            PersistState = persist,
        }, CancellationToken.None);
}
