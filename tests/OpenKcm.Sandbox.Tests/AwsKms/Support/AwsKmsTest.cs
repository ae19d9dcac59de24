using System.Net;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.AwsKms;

namespace OpenKcm.Sandbox.Tests.AwsKms.Support;

/// <summary>
/// Base of tests against a running AWS emulator on a manual clock: one emulator per test (xunit makes one instance
/// per test), the raw client, and helpers to assume the seeded role.
/// </summary>
public abstract class AwsKmsTest : IAsyncLifetime
{
    private protected ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero));

    private protected AwsKmsEmulator Aws { get; private set; } = null!;

    private protected AwsApi Api { get; private set; } = null!;

    private protected AwsCredentials Console => AwsCredentials.From(Aws.ConsoleAccessKey);

    public async Task InitializeAsync()
    {
        Aws = await AwsKmsEmulator.StartAsync(new AwsKmsEmulatorOptions { TimeProvider = Clock }, CancellationToken.None);
        Api = new AwsApi(Aws.BaseAddress, Aws.Region, Clock);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Aws.DisposeAsync();
    }

    /// <summary>Assumes the seeded role with the right external ID and returns the session credentials.</summary>
    private protected Task<AwsCredentials> AssumeSeedRoleAsync() => AssumeAsync(Console, Aws.RoleArn, Aws.ExternalId);

    private protected async Task<AwsCredentials> AssumeAsync(AwsCredentials caller, string roleArn, string? externalId)
    {
        var reply = await Api.AssumeRoleAsync(caller, roleArn, externalId);
        Assert.True(reply.Status == HttpStatusCode.OK, reply.Body);
        return new AwsCredentials(reply.StsValue("AccessKeyId"), reply.StsValue("SecretAccessKey"), reply.StsValue("SessionToken"));
    }

    /// <summary>A successful KMS call's JSON; fails the test with the body otherwise.</summary>
    private protected async Task<JsonObject> KmsOkAsync(string operation, JsonObject body, AwsCredentials credentials)
    {
        var reply = await Api.KmsAsync(operation, body, credentials);
        Assert.True(reply.Status == HttpStatusCode.OK, $"{operation}: {reply.Status} {reply.Body}");
        return reply.Json;
    }

    private protected static void AssertKmsError(AwsReply reply, HttpStatusCode status, string type, string? message = null)
    {
        Assert.True(reply.Status == status && reply.ErrorType == type, $"expected {(int)status} {type}, got {(int)reply.Status} {reply.Body}");
        Assert.Equal("application/x-amz-json-1.1", reply.ContentType);
        Assert.False(string.IsNullOrEmpty(reply.RequestId));
        if (message is not null)
        {
            Assert.Equal(message, reply.ErrorMessage);
        }
    }

    private protected static void AssertStsError(AwsReply reply, HttpStatusCode status, string code, string? message = null)
    {
        Assert.True(reply.Status == status && reply.StsCode == code, $"expected {(int)status} {code}, got {(int)reply.Status} {reply.Body}");
        Assert.Equal((int)status >= 500 ? "Receiver" : "Sender", reply.StsType);
        if (message is not null)
        {
            Assert.Equal(message, reply.StsMessage);
        }
    }
}
