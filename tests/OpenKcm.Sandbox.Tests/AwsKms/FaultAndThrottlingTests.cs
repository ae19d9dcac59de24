using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.Tests.AwsKms.Support;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.AwsKms;

/// <summary>Throttling (token bucket on the emulator's clock) and the shared fault injection, in KMS's and STS's dialects.</summary>
public sealed class FaultAndThrottlingTests : AwsKmsTest
{
    private JsonObject Describe => new() { ["KeyId"] = Aws.KeyArn };

    [Fact]
    public async Task Throttle_AboveTheRate_IsThrottlingExceptionUntilTheBucketRefills()
    {
        var session = await AssumeSeedRoleAsync();
        Aws.Admin.ThrottleRequestsPerSecond = 2;

        var first = await Api.KmsAsync("DescribeKey", Describe, session);
        var second = await Api.KmsAsync("DescribeKey", Describe, session);
        var third = await Api.KmsAsync("DescribeKey", Describe, session);
        var sts = await Api.CallerIdentityAsync(session);
        Clock.Advance(TimeSpan.FromMilliseconds(500));
        var afterHalfSecond = await Api.KmsAsync("DescribeKey", Describe, session);
        var thenAgain = await Api.KmsAsync("DescribeKey", Describe, session);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        AssertKmsError(third, HttpStatusCode.BadRequest, "ThrottlingException",
            "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.");
        Assert.Equal(HttpStatusCode.OK, sts.Status);
        Assert.Equal(HttpStatusCode.OK, afterHalfSecond.Status);
        AssertKmsError(thenAgain, HttpStatusCode.BadRequest, "ThrottlingException");
    }

    [Fact]
    public async Task Throttle_Off_AllowsABurst()
    {
        var session = await AssumeSeedRoleAsync();
        Aws.Admin.ThrottleRequestsPerSecond = 1;
        Aws.Admin.ThrottleRequestsPerSecond = null;

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Api.KmsAsync("DescribeKey", Describe, session)).Status);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void Throttle_NotAPositiveRate_IsRefused(double rate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Aws.Admin.ThrottleRequestsPerSecond = rate);
        Assert.Null(Aws.Admin.ThrottleRequestsPerSecond);
    }

    [Fact]
    public async Task ErrorRateOne_KmsIsKmsInternalExceptionAndStsIsInternalFailure()
    {
        var session = await AssumeSeedRoleAsync();
        Aws.Faults.ErrorRate = 1;

        AssertKmsError(await Api.KmsAsync("DescribeKey", Describe, session), HttpStatusCode.InternalServerError, "KMSInternalException");
        AssertStsError(await Api.CallerIdentityAsync(session), HttpStatusCode.InternalServerError, "InternalFailure");
    }

    [Fact]
    public async Task Sealed_KmsIsKeyUnavailableExceptionStsStillWorks()
    {
        var session = await AssumeSeedRoleAsync();
        Aws.Faults.Sealed = true;

        AssertKmsError(await Api.KmsAsync("Encrypt", new JsonObject { ["KeyId"] = Aws.KeyArn, ["Plaintext"] = "AA==" }, session),
            HttpStatusCode.InternalServerError, "KeyUnavailableException");
        Assert.Equal(HttpStatusCode.OK, (await Api.CallerIdentityAsync(session)).Status);
        Aws.Faults.Sealed = false;
        Assert.Equal(HttpStatusCode.OK, (await Api.KmsAsync("DescribeKey", Describe, session)).Status);
    }

    [Fact]
    public async Task Latency_HoldsTheRequestUntilItHasPassed()
    {
        var session = await AssumeSeedRoleAsync();
        Aws.Faults.LatencyMs = 4000; // long enough that a late poll on a loaded machine still sees the request held

        var pending = Api.KmsAsync("DescribeKey", Describe, session);
        await Eventually.TrueAsync(() => Aws.InFlightRequests == 1, TimeSpan.FromSeconds(10), "the request is held by the latency fault");
        Assert.False(pending.IsCompleted);

        Assert.Equal(HttpStatusCode.OK, (await pending).Status);
    }

    [Fact]
    public async Task Down_RefusesConnectionsAndUpRebindsTheSamePortWithState()
    {
        var session = await AssumeSeedRoleAsync();
        var address = Aws.BaseAddress;

        await Aws.Faults.SetDownAsync(true);
        using (var downApi = new AwsApi(address, Aws.Region, Clock))
        {
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => downApi.KmsAsync("DescribeKey", Describe, session));
            Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(refused.InnerException).SocketErrorCode);
        }

        await Aws.Faults.SetDownAsync(false);
        using var upApi = new AwsApi(address, Aws.Region, Clock);

        Assert.Equal(address, Aws.BaseAddress);
        Assert.Equal(HttpStatusCode.OK, (await upApi.KmsAsync("DescribeKey", Describe, session)).Status);
    }
}
