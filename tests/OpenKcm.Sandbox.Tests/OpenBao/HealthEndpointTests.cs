using System.Net;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.OpenBao;

public sealed class HealthEndpointTests : SandboxTest
{
    [Fact]
    public async Task Health_ActiveNode_Answers200WithOpenBaoBody()
    {
        var reply = await Api.GetAsync("v1/sys/health");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("application/json", reply.ContentType);
        var body = reply.Body!;
        Assert.True(body["initialized"]!.GetValue<bool>());
        Assert.False(body["sealed"]!.GetValue<bool>());
        Assert.False(body["standby"]!.GetValue<bool>());
        Assert.False(body["performance_standby"]!.GetValue<bool>());
        Assert.Equal("disabled", body["replication_performance_mode"]!.GetValue<string>());
        Assert.Equal("disabled", body["replication_dr_mode"]!.GetValue<string>());
        Assert.Equal(Clock.GetUtcNow().ToUnixTimeSeconds(), body["server_time_utc"]!.GetValue<long>());
        Assert.Equal("2.6.2", body["version"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["cluster_name"]!.GetValue<string>()));
        Assert.True(Guid.TryParse(body["cluster_id"]!.GetValue<string>(), out _));
        Assert.Null(body["enterprise"]);
    }

    [Fact]
    public async Task Health_Head_AnswersStatusWithoutBody()
    {
        OpenBao.Node.Standby = true;

        var reply = await Api.SendAsync("HEAD", "v1/sys/health", body: null);

        Assert.Equal((HttpStatusCode)429, reply.Status);
        Assert.Empty(reply.Text);
    }

    [Fact]
    public async Task Health_Sealed_Answers503WithoutClusterIdentity()
    {
        OpenBao.Faults.Sealed = true;

        var reply = await Api.GetAsync("v1/sys/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, reply.Status);
        Assert.True(reply.Body!["sealed"]!.GetValue<bool>());
        Assert.Null(reply.Body["cluster_name"]);
        Assert.Null(reply.Body["cluster_id"]);
    }

    [Fact]
    public async Task Health_Uninitialized_Answers501()
    {
        OpenBao.Node.Initialized = false;

        var reply = await Api.GetAsync("v1/sys/health");

        Assert.Equal(HttpStatusCode.NotImplemented, reply.Status);
        Assert.False(reply.Body!["initialized"]!.GetValue<bool>());
        Assert.True(reply.Body["sealed"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("", 429)]
    [InlineData("?standbyok=true", 200)]
    [InlineData("?standbyok=true&activecode=204", 204)]
    [InlineData("?standbycode=299", 299)]
    public async Task Health_Standby_AnswersStandbyCodeUnlessOverridden(string query, int expected)
    {
        OpenBao.Node.Standby = true;

        var reply = await Api.GetAsync("v1/sys/health" + query);

        Assert.Equal(expected, (int)reply.Status);
    }

    [Theory]
    [InlineData("?activecode=299", 299)]
    [InlineData("?sealedcode=200", 200)]
    [InlineData("?uninitcode=299", 200)]
    public async Task Health_CodeOverrides_ReplaceOnlyTheirOwnState(string query, int expected)
    {
        var reply = await Api.GetAsync("v1/sys/health" + query);

        Assert.Equal(expected, (int)reply.Status);
    }

    [Fact]
    public async Task Health_SealedCodeOverride_AppliesWhenSealed()
    {
        OpenBao.Faults.Sealed = true;

        var reply = await Api.GetAsync("v1/sys/health?sealedcode=200");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(reply.Body!["sealed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Health_UninitCodeOverride_AppliesWhenUninitialized()
    {
        OpenBao.Node.Initialized = false;

        var reply = await Api.GetAsync("v1/sys/health?uninitcode=200");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Theory]
    [InlineData("?activecode=abc")]
    [InlineData("?standbyok=perhaps")]
    public async Task Health_MalformedParameter_Answers400WithEmptyErrors(string query)
    {
        var reply = await Api.GetAsync("v1/sys/health" + query);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Empty(reply.Errors);
    }

    [Fact]
    public async Task Health_OpenBaoProfile_IgnoresPerformanceStandbyAndDr()
    {
        OpenBao.Node.PerformanceStandby = true;
        OpenBao.Node.DrSecondary = true;

        var reply = await Api.GetAsync("v1/sys/health");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.False(reply.Body!["performance_standby"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Health_Post_Answers405()
    {
        var reply = await Api.PostAsync("v1/sys/health");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, reply.Status);
    }

    [Fact]
    public async Task Health_WithInvalidToken_IsStillAnswered()
    {
        var reply = await Api.GetAsync("v1/sys/health", token: "s.not-a-token");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Fact]
    public async Task SealStatus_Sealed_Answers200WithSealedTrue()
    {
        OpenBao.Faults.Sealed = true;

        var reply = await Api.GetAsync("v1/sys/seal-status");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(reply.Body!["sealed"]!.GetValue<bool>());
        Assert.Equal("shamir", reply.Body["type"]!.GetValue<string>());
    }
}
