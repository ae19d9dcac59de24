using System.Net;
using System.Net.Sockets;
using OpenKcm.Sandbox.Faults;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.Control;

public sealed class ControlEndpointTests : SandboxTest
{
    private VaultApi Control => _control ??= new VaultApi(Host.ControlUrl);

    private VaultApi? _control;

    [Fact]
    public async Task Directory_ListsEmulatorsWithAddressesAndFaults()
    {
        var reply = await Control.GetAsync("");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var emulators = reply.Body!["emulators"]!.AsArray();
        Assert.Equal(["aws_kms", "openbao", "openbao_backup", "thales_luna_a", "thales_luna_b"], emulators.Select(e => e!["name"]!.GetValue<string>()));
        var openBao = emulators.Single(e => e!["name"]!.GetValue<string>() == "openbao")!;
        Assert.Equal("openbao", openBao["name"]!.GetValue<string>());
        Assert.Equal(OpenBao.BaseAddress.ToString(), openBao["base_address"]!.GetValue<string>());
        Assert.Equal(new Uri(Host.ControlUrl, "openbao").ToString(), openBao["control_url"]!.GetValue<string>());
        Assert.False(openBao["faults"]!["down"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Get_AnswersCurrentFaultsInSnakeCase()
    {
        OpenBao.Faults.LatencyMs = 25;

        var reply = await Control.GetAsync("openbao");

        Assert.Equal("""{"latency_ms":25,"error_rate":0,"sealed":false,"down":false}""", reply.Text);
    }

    [Fact]
    public async Task Put_ChangesOnlyTheFieldsSent()
    {
        OpenBao.Faults.LatencyMs = 25;

        var reply = await Control.SendAsync("PUT", "openbao", """{"error_rate": 1, "sealed": true}""");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(new FaultSnapshot(25, 1, true, false), OpenBao.Faults.Snapshot());
        Assert.True(reply.Body!["sealed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task PutDown_RefusesConnectionsAndControlStaysReachable()
    {
        var down = await Control.SendAsync("PUT", "openbao", """{"down": true}""");
        var refused = await Assert.ThrowsAsync<SocketException>(ConnectToEmulatorAsync);
        var whileDown = await Control.GetAsync("openbao");
        var up = await Control.SendAsync("PUT", "openbao", """{"down": false}""");

        Assert.Equal(HttpStatusCode.OK, down.Status);
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.True(whileDown.Body!["down"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, up.Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("v1/sys/health")).Status);
    }

    [Fact]
    public async Task Reset_ClearsFaults()
    {
        await Control.SendAsync("PUT", "openbao", """{"latency_ms": 10, "error_rate": 0.5, "sealed": true, "down": true}""");

        var reply = await Control.SendAsync("POST", "openbao/reset", body: null);

        Assert.Equal("""{"latency_ms":0,"error_rate":0,"sealed":false,"down":false}""", reply.Text);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("v1/sys/health")).Status);
    }

    [Theory]
    [InlineData("""{"latency": 5}""", "unknown field \"latency\" (expected latency_ms, error_rate, sealed, down)")]
    [InlineData("""{"sealed": "yes"}""", "sealed has the wrong type")]
    [InlineData("""{"latency_ms": 1.5}""", "latency_ms has the wrong type")]
    [InlineData("""{"error_rate": 2}""", "error_rate must be between 0 and 1, not 2")]
    [InlineData("""{"latency_ms": -3}""", "latency_ms must be between 0 and 600000, not -3")]
    [InlineData("[]", "invalid JSON: the body must be a JSON object")]
    public async Task Put_InvalidBody_Answers400AndChangesNothing(string body, string error)
    {
        var reply = await Control.SendAsync("PUT", "openbao", body);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal([error], reply.Errors);
        Assert.Equal(new FaultSnapshot(0, 0, false, false), OpenBao.Faults.Snapshot());
    }

    [Fact]
    public async Task Put_MalformedJson_Answers400()
    {
        var reply = await Control.SendAsync("PUT", "openbao", "{");

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.StartsWith("invalid JSON", Assert.Single(reply.Errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "fortanix_dsm")]
    [InlineData("PUT", "openbao_tertiary")]
    [InlineData("GET", "openbao/other")]
    public async Task UnknownEmulatorOrPath_Answers404(string method, string path)
    {
        var reply = await Control.SendAsync(method, path, method == "PUT" ? "{}" : null);

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
    }

    [Fact]
    public async Task OutsideControlPrefix_Answers404()
    {
        using var http = new HttpClient();

        var reply = await http.GetAsync(new Uri(Host.ControlUrl, "/v1/sys/health"));

        Assert.Equal(HttpStatusCode.NotFound, reply.StatusCode);
    }

    [Theory]
    [InlineData("POST", "openbao")]
    [InlineData("DELETE", "openbao")]
    [InlineData("GET", "openbao/reset")]
    [InlineData("POST", "")]
    public async Task WrongMethod_Answers405(string method, string path)
    {
        var reply = await Control.SendAsync(method, path, method == "POST" ? "{}" : null);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, reply.Status);
    }

    [Fact]
    public void ControlUrl_IsLoopbackOnItsOwnPort()
    {
        Assert.Equal("127.0.0.1", Host.ControlUrl.Host);
        Assert.Equal("/control/", Host.ControlUrl.AbsolutePath);
        Assert.NotEqual(OpenBao.BaseAddress.Port, Host.ControlUrl.Port);
    }

    private async Task ConnectToEmulatorAsync()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, OpenBao.BaseAddress.Port);
    }
}
