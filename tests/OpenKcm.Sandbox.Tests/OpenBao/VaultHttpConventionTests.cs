using System.Net;
using OpenKcm.Sandbox.OpenBao;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.OpenBao;

public sealed class VaultHttpConventionTests : SandboxTest
{
    private const string EncryptPath = $"v1/{OpenBaoEmulator.MountPath}/encrypt/{OpenBaoEmulator.KeyName}";

    [Fact]
    public async Task Error_HasErrorsArrayAndExactJsonContentType()
    {
        var reply = await Api.GetAsync("v1/auth/token/lookup-self");

        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal(["permission denied"], reply.Errors);
    }

    [Fact]
    public async Task Body_WithoutContentType_IsParsedAsJson()
    {
        var reply = await Api.SendAsync("POST", EncryptPath, """{"plaintext":"aGVsbG8="}""", Root);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.StartsWith("vault:v1:", reply.Data["ciphertext"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_BehavesLikePost()
    {
        var reply = await Api.SendAsync("PUT", EncryptPath, """{"plaintext":"aGVsbG8="}""", Root);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Fact]
    public async Task InvalidJson_Answers400()
    {
        var reply = await Api.SendAsync("POST", EncryptPath, "{not json", Root);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.StartsWith("failed to parse JSON input", Assert.Single(reply.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownMount_WithRootToken_Answers404()
    {
        var reply = await Api.GetAsync("v1/no-such-mount/thing", Root);

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal(["no handler for route \"no-such-mount/thing\". route entry not found."], reply.Errors);
    }

    [Fact]
    public async Task UnknownPathInMount_WithRootToken_Answers404UnsupportedPath()
    {
        var reply = await Api.GetAsync($"v1/{OpenBaoEmulator.MountPath}/no-such-path", Root);

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal(["unsupported path"], reply.Errors);
    }

    [Fact]
    public async Task UnknownPath_WithoutToken_Answers403()
    {
        var reply = await Api.GetAsync("v1/no-such-mount/thing");

        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
    }

    [Fact]
    public async Task PathOutsideV1_Answers404()
    {
        var reply = await Api.GetAsync("v2/sys/health");

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Empty(reply.Errors);
    }

    [Theory]
    [InlineData("GET", EncryptPath)]
    [InlineData("DELETE", "v1/auth/token/lookup-self")]
    public async Task WrongOperationOnKnownPath_Answers405(string method, string path)
    {
        var reply = await Api.SendAsync(method, path, body: null, Root);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, reply.Status);
        Assert.Equal(["unsupported operation"], reply.Errors);
    }

    [Fact]
    public async Task UnknownHttpMethod_Answers405()
    {
        var reply = await Api.SendAsync("PATCH", EncryptPath, "{}", Root);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, reply.Status);
    }

    [Fact]
    public async Task ReadOfMissingResource_Answers404WithEmptyErrors()
    {
        var reply = await Api.GetAsync($"v1/{OpenBaoEmulator.MountPath}/keys/absent", Root);

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Empty(reply.Errors);
    }

    [Fact]
    public async Task WriteWithoutData_Answers204WithoutBody()
    {
        var reply = await Api.SendAsync("PUT", "v1/sys/policy/p", """{"policy":"path \"a\" { capabilities = [\"read\"] }"}""", Root);

        Assert.Equal(HttpStatusCode.NoContent, reply.Status);
        Assert.Empty(reply.Text);
    }

    [Fact]
    public async Task Response_CarriesVaultEnvelope()
    {
        var reply = await Api.GetAsync($"v1/{OpenBaoEmulator.MountPath}/keys/{OpenBaoEmulator.KeyName}", Root);

        var body = reply.Body!;
        Assert.True(Guid.TryParse(body["request_id"]!.GetValue<string>(), out _));
        Assert.Equal("", body["lease_id"]!.GetValue<string>());
        Assert.False(body["renewable"]!.GetValue<bool>());
        Assert.Equal(0, body["lease_duration"]!.GetValue<int>());
        Assert.Null(body["wrap_info"]);
        Assert.Null(body["warnings"]);
        Assert.Null(body["auth"]);
        Assert.Equal("transit", body["mount_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task ResponseWrappingRequest_IsRefusedLoudly()
    {
        var reply = await Api.SendAsync("POST", EncryptPath, """{"plaintext":"aGk="}""", Root,
            headers: h => h.Add("X-Vault-Wrap-TTL", "60"));

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
    }
}
