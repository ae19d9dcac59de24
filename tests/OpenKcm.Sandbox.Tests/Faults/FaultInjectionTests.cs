using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.Faults;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.Faults;

public sealed class FaultInjectionTests : SandboxTest
{
    [Fact]
    public async Task Latency_DelaysEveryAnswerByAtLeastTheSetTime()
    {
        OpenBao.Faults.LatencyMs = 300;

        var watch = Stopwatch.StartNew();
        var reply = await Api.GetAsync("v1/sys/health");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(300), $"answered after {watch.Elapsed}");
    }

    [Theory]
    [InlineData("GET", "v1/sys/health")]
    [InlineData("POST", "v1/auth/approle/login")]
    [InlineData("GET", "v1/no/such/path")]
    public async Task ErrorRateOne_AnswersEveryRequestWithInjected500(string method, string path)
    {
        OpenBao.Faults.ErrorRate = 1.0;

        var reply = await Api.SendAsync(method, path, method == "POST" ? "{}" : null, Root);

        Assert.Equal(HttpStatusCode.InternalServerError, reply.Status);
        Assert.Equal(["injected fault"], reply.Errors);
    }

    [Fact]
    public async Task ErrorRateHalf_FailsSomeRequestsAndPassesOthers()
    {
        OpenBao.Faults.ErrorRate = 0.5;
        var statuses = new HashSet<HttpStatusCode>();

        for (var i = 0; i < 200 && statuses.Count < 2; i++)
        {
            statuses.Add((await Api.GetAsync("v1/sys/health")).Status);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.InternalServerError], statuses.Order());
    }

    [Fact]
    public async Task Sealed_RefusesEveryRequestWith503AndUnsealKeepsTokens()
    {
        var token = await LoginSeedAsync();
        OpenBao.Faults.Sealed = true;

        var login = await Api.PostAsync("v1/auth/approle/login",
            new JsonObject { ["role_id"] = OpenBao.RoleId, ["secret_id"] = OpenBao.SecretId });
        var lookup = await Api.GetAsync("v1/auth/token/lookup-self", token);
        var health = await Api.GetAsync("v1/sys/health");
        OpenBao.Faults.Sealed = false;
        var afterUnseal = await Api.GetAsync("v1/auth/token/lookup-self", token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, login.Status);
        Assert.Equal(["Vault is sealed"], login.Errors);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, lookup.Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Status);
        Assert.Equal(HttpStatusCode.OK, afterUnseal.Status);
    }

    [Fact]
    public async Task Down_RefusesConnectionsAndUpRebindsTheSamePortWithState()
    {
        var token = await LoginSeedAsync();
        var address = OpenBao.BaseAddress;

        await OpenBao.Faults.SetDownAsync(true);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => FreshGetAsync(address, "v1/sys/health"));
        await OpenBao.Faults.SetDownAsync(false);
        using var client = new VaultApi(address);
        var lookup = await client.GetAsync("v1/auth/token/lookup-self", token);

        Assert.True(OpenBao.Faults.Down is false);
        Assert.Equal(HttpRequestError.ConnectionError, refused.HttpRequestError);
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(refused.InnerException).SocketErrorCode);
        Assert.Equal(address, OpenBao.BaseAddress);
        Assert.Equal(HttpStatusCode.OK, lookup.Status);
    }

    [Fact]
    public async Task Down_WhileRequestWaitsOnLatency_DropsItWithoutHanging()
    {
        OpenBao.Faults.LatencyMs = EmulatorFaults.MaxLatencyMs;
        var pending = FreshGetAsync(OpenBao.BaseAddress, "v1/sys/health");
        await WaitUntilListenerHasConnectionAsync();

        await OpenBao.Faults.SetDownAsync(true).WaitAsync(TimeSpan.FromSeconds(20));

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => pending.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task SetDown_Twice_IsIdempotent()
    {
        await OpenBao.Faults.SetDownAsync(true);
        await OpenBao.Faults.SetDownAsync(true);
        await OpenBao.Faults.SetDownAsync(false);
        await OpenBao.Faults.SetDownAsync(false);

        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("v1/sys/health")).Status);
    }

    [Theory]
    [InlineData(-1, null)]
    [InlineData(EmulatorFaults.MaxLatencyMs + 1, null)]
    [InlineData(null, 1.5)]
    [InlineData(null, -0.1)]
    public async Task Apply_OutOfRange_ThrowsAndChangesNothing(int? latency, double? errorRate)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            OpenBao.Faults.ApplyAsync(new FaultSettings { LatencyMs = latency, ErrorRate = errorRate, Sealed = true }));

        Assert.NotNull(error);
        Assert.Equal(new FaultSnapshot(0, 0, false, false), OpenBao.Faults.Snapshot());
    }

    [Fact]
    public async Task Reset_ClearsEveryFault()
    {
        await OpenBao.Faults.ApplyAsync(new FaultSettings { LatencyMs = 5, ErrorRate = 0.25, Sealed = true, Down = true });

        var result = await OpenBao.Faults.ResetAsync();

        Assert.Equal(new FaultSnapshot(0, 0, false, false), result);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("v1/sys/health")).Status);
    }

    private static async Task<HttpResponseMessage> FreshGetAsync(Uri address, string path)
    {
        using var client = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        return await client.GetAsync(path);
    }

    private Task WaitUntilListenerHasConnectionAsync() =>
        Eventually.TrueAsync(() => OpenBao.InFlightRequests > 0, TimeSpan.FromSeconds(10), "the request reached the emulator");
}
