using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.Control;
using OpenKcm.Sandbox.Tests.Support;
using OpenKcm.Sandbox.ThalesLuna;

namespace OpenKcm.Sandbox.Tests.ThalesLuna;

public sealed class LunaApplianceTests : LunaSandboxTest
{
    [Fact]
    public async Task Appliances_ListenOnBothLoopbackAddressesAtTheSamePort()
    {
        var luna = await StartAvailableAsync();

        Assert.Equal(["thales_luna_a", "thales_luna_b"], luna.Appliances.Select(a => a.Name));
        Assert.Equal([new Uri($"tcp://127.0.0.1:{luna.NtlsPort}/"), new Uri($"tcp://127.0.0.2:{luna.NtlsPort}/")],
            luna.Appliances.Select(a => a.BaseAddress));
        foreach (var address in luna.ApplianceAddresses)
        {
            var banner = await ReadBannerAsync(address, luna.NtlsPort);
            Assert.StartsWith($"OPENKCM-SANDBOX NTLS thales_luna_", banner, StringComparison.Ordinal);
            Assert.Contains($"{address}:{luna.NtlsPort}", banner, StringComparison.Ordinal);
        }

        Assert.All(luna.Appliances, a => Assert.Equal(1, a.AcceptedConnections));
    }

    [Fact]
    public async Task Down_RefusesConnectionsToThatApplianceOnlyAndUpRebindsTheSamePort()
    {
        var luna = await StartAvailableAsync();
        var (a, b) = (luna.Appliances[0], luna.Appliances[1]);
        await ReadBannerAsync("127.0.0.1", luna.NtlsPort);

        await a.Faults.SetDownAsync(true);
        var refused = await Assert.ThrowsAsync<SocketException>(() => ConnectAsync("127.0.0.1", luna.NtlsPort));
        var other = await ReadBannerAsync("127.0.0.2", luna.NtlsPort);
        Assert.True(a.Faults.Down);
        await a.Faults.SetDownAsync(false);
        var again = await ReadBannerAsync("127.0.0.1", luna.NtlsPort);

        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Contains("thales_luna_b", other, StringComparison.Ordinal);
        Assert.Contains("thales_luna_a", again, StringComparison.Ordinal);
        Assert.False(a.Faults.Down);
        Assert.False(b.Faults.Down);
        Assert.Equal(new Uri($"tcp://127.0.0.1:{luna.NtlsPort}/"), a.BaseAddress);
    }

    [Fact]
    public async Task ControlEndpoint_DrivesEachApplianceByName()
    {
        var luna = await StartAvailableAsync();
        using var loggerFactory = Logs.CreateFactory();
        await using var control = await ControlEndpoint.StartAsync(luna.Appliances, 0, loggerFactory, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = control.Url };

        var directory = JsonNode.Parse(await http.GetStringAsync(""))!["emulators"]!.AsArray();
        using var put = await http.PutAsync("thales_luna_b", new StringContent("{\"down\":true}", Encoding.UTF8, "application/json"));
        var refused = await Assert.ThrowsAsync<SocketException>(() => ConnectAsync("127.0.0.2", luna.NtlsPort));
        var stillUp = await ReadBannerAsync("127.0.0.1", luna.NtlsPort);
        using var reset = await http.PostAsync("thales_luna_b/reset", null);
        var back = await ReadBannerAsync("127.0.0.2", luna.NtlsPort);

        Assert.Equal([$"tcp://127.0.0.1:{luna.NtlsPort}/", $"tcp://127.0.0.2:{luna.NtlsPort}/"],
            directory.Select(e => e!["base_address"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.True(JsonNode.Parse(await put.Content.ReadAsStringAsync())!["down"]!.GetValue<bool>());
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Contains("thales_luna_a", stillUp, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Contains("thales_luna_b", back, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Latency_DelaysTheBannerByAtLeastTheSetTime()
    {
        var luna = await StartAvailableAsync();
        luna.Appliances[1].Faults.LatencyMs = 300;

        var watch = Stopwatch.StartNew();
        var banner = await ReadBannerAsync("127.0.0.2", luna.NtlsPort);

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(300), $"answered after {watch.Elapsed}");
        Assert.Contains("thales_luna_b", banner, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorRateOne_ResetsEveryConnectionWithoutBanner()
    {
        var luna = await StartAvailableAsync();
        luna.Appliances[0].Faults.ErrorRate = 1;

        var error = await Assert.ThrowsAsync<SocketException>(() => ReadBannerAsync("127.0.0.1", luna.NtlsPort));

        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        Assert.Equal(1, luna.Appliances[0].AcceptedConnections);
    }

    [Fact]
    public async Task Sealed_ClosesEveryConnectionWithoutBanner()
    {
        var luna = await StartAvailableAsync();
        luna.Appliances[0].Faults.Sealed = true;

        var banner = await ReadBannerAsync("127.0.0.1", luna.NtlsPort);

        Assert.Equal("", banner);
    }

    [Fact]
    public async Task NtlsPort_WhenFreeOnBothAddresses_IsUsed()
    {
        var port = LoopbackPorts.Free();

        var luna = await StartAvailableAsync(configure: o => new LunaSandboxOptions
        {
            DataDirectory = o.DataDirectory, LoggerFactory = o.LoggerFactory, NtlsPort = port,
        });

        Assert.Equal(port, luna.NtlsPort);
        Assert.Empty(Logs.Warnings);
    }

    [Fact]
    public async Task NtlsPort_WhenTakenOnTheSecondAddress_MovesBothAppliancesToAnotherPortWithAWarning()
    {
        using var squatter = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        squatter.Start();
        var taken = squatter.Port();

        var luna = await StartAvailableAsync(configure: o => new LunaSandboxOptions
        {
            DataDirectory = o.DataDirectory, LoggerFactory = o.LoggerFactory, NtlsPort = taken,
        });

        Assert.NotEqual(taken, luna.NtlsPort);
        Assert.All(luna.Appliances, a => Assert.Equal(luna.NtlsPort, a.Port));
        var warning = Assert.Single(Logs.Warnings);
        Assert.Contains($"listen on port {luna.NtlsPort} instead of {taken} (in use by this process)", warning.Message, StringComparison.Ordinal);
        Assert.Equal(luna.NtlsPort, luna.ManifestEntry()["configuration"]!["ntls_port"]!.GetValue<int>());
    }

    [Fact]
    public async Task Dispose_ClosesBothListenersAndCanBeRepeated()
    {
        var luna = await StartAvailableAsync();
        var port = luna.NtlsPort;

        await StopAsync(luna);
        await luna.DisposeAsync();

        foreach (var address in new[] { "127.0.0.1", "127.0.0.2" })
        {
            var refused = await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(address, port));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
    }

    private static async Task ConnectAsync(string address, int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(IPAddress.Parse(address), port, timeout.Token);
    }

    /// <summary>Connects and reads until the appliance closes its side; the text it sent (empty when none).</summary>
    private static async Task<string> ReadBannerAsync(string address, int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(IPAddress.Parse(address), port, timeout.Token);
        var stream = client.GetStream();
        var received = new MemoryStream();
        var buffer = new byte[256];
        int read;
        try
        {
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException error) when (error.InnerException is SocketException socket)
        {
            throw socket;
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }
}
