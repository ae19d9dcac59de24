using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.Tests.AwsKms.Support;

namespace OpenKcm.Sandbox.Tests.AwsKms;

/// <summary>SigV4 rejections over real HTTP, in KMS's dialect (400 JSON) and STS's (403 XML).</summary>
public sealed class AuthenticationTests : AwsKmsTest
{
    private const string SignatureMismatch =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    private JsonObject DescribeBody => new() { ["KeyId"] = Aws.KeyArn };

    /// <summary>The console user's secret with its first character changed (never the same: the secret is random).</summary>
    private string WrongSecret => (Console.SecretAccessKey[0] == 'x' ? "y" : "x") + Console.SecretAccessKey[1..];

    [Fact]
    public async Task Kms_NoAuthorization_IsMissingAuthenticationTokenException()
    {
        var reply = await Api.KmsAsync("DescribeKey", DescribeBody, credentials: null);

        AssertKmsError(reply, HttpStatusCode.BadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token");
    }

    [Fact]
    public async Task Sts_NoAuthorization_IsMissingAuthenticationToken()
    {
        var reply = await Api.StsAsync(new Dictionary<string, string> { ["Action"] = "GetCallerIdentity", ["Version"] = "2011-06-15" }, null);

        AssertStsError(reply, HttpStatusCode.Forbidden, "MissingAuthenticationToken", "Request is missing Authentication Token");
        Assert.Equal("text/xml", reply.ContentType);
    }

    [Fact]
    public async Task Kms_UnknownAccessKey_IsUnrecognizedClientException()
    {
        var reply = await Api.KmsAsync("DescribeKey", DescribeBody, new AwsCredentials("AKIAUNKNOWNUNKNOWN22", "secret"));

        AssertKmsError(reply, HttpStatusCode.BadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.");
    }

    [Fact]
    public async Task Sts_UnknownAccessKey_IsInvalidClientTokenId()
    {
        var reply = await Api.CallerIdentityAsync(new AwsCredentials("AKIAUNKNOWNUNKNOWN22", "secret"));

        AssertStsError(reply, HttpStatusCode.Forbidden, "InvalidClientTokenId", "The security token included in the request is invalid.");
    }

    [Fact]
    public async Task Kms_WrongSecret_IsInvalidSignatureException()
    {
        var reply = await Api.KmsAsync("DescribeKey", DescribeBody, Console with { SecretAccessKey = WrongSecret });

        AssertKmsError(reply, HttpStatusCode.BadRequest, "InvalidSignatureException", SignatureMismatch);
    }

    [Fact]
    public async Task Sts_WrongSecret_IsSignatureDoesNotMatch()
    {
        var reply = await Api.CallerIdentityAsync(Console with { SecretAccessKey = WrongSecret });

        AssertStsError(reply, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", SignatureMismatch);
    }

    [Fact]
    public async Task Kms_BodyChangedAfterSigning_IsInvalidSignatureException()
    {
        var reply = await Api.KmsAsync("DescribeKey", DescribeBody, await AssumeSeedRoleAsync(),
            mutate: r => r.Content = new StringContent("{\"KeyId\":\"alias/other\"}", null, "application/x-amz-json-1.1"));

        AssertKmsError(reply, HttpStatusCode.BadRequest, "InvalidSignatureException", SignatureMismatch);
    }

    [Fact]
    public async Task Kms_SignedHeaderChangedAfterSigning_IsInvalidSignatureException()
    {
        var reply = await Api.KmsAsync("DescribeKey", DescribeBody, await AssumeSeedRoleAsync(), mutate: r =>
        {
            r.Headers.Remove("X-Amz-Target");
            r.Headers.TryAddWithoutValidation("X-Amz-Target", "TrentService.ListKeys");
        });

        AssertKmsError(reply, HttpStatusCode.BadRequest, "InvalidSignatureException", SignatureMismatch);
    }

    [Fact]
    public async Task Kms_ContentSha256NotTheBodysHash_IsInvalidSignatureException()
    {
        var reply = await Api.KmsAsync("DescribeKey", DescribeBody, await AssumeSeedRoleAsync(),
            beforeSigning: r => r.Headers.TryAddWithoutValidation("x-amz-content-sha256", new string('0', 64)));

        AssertKmsError(reply, HttpStatusCode.BadRequest, "InvalidSignatureException",
            "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }

    [Fact]
    public async Task Kms_UnsignedTarget_IsRefusedAndTheKeyIsUntouched()
    {
        // A request signed over host, date and content type only: without the target in the signature, anyone holding
        // it could turn a DescribeKey into a DisableKey.
        var session = await AssumeSeedRoleAsync();
        var reply = await Api.KmsAsync("DescribeKey", DescribeBody, session,
            beforeSigning: r => r.Headers.Remove("X-Amz-Target"),
            mutate: r => r.Headers.TryAddWithoutValidation("X-Amz-Target", "TrentService.DisableKey"));

        AssertKmsError(reply, HttpStatusCode.BadRequest, "InvalidSignatureException",
            "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
        var describe = await Api.KmsAsync("DescribeKey", DescribeBody, session);
        Assert.Equal(HttpStatusCode.OK, describe.Status);
        Assert.Equal("Enabled", (string?)JsonNode.Parse(describe.Body)!["KeyMetadata"]!["KeyState"]);
    }

    [Fact]
    public async Task Kms_UnsignedSecurityToken_IsInvalidSignatureException()
    {
        var session = await AssumeSeedRoleAsync();

        var reply = await Api.KmsAsync("DescribeKey", DescribeBody, session with { SessionToken = null },
            mutate: r => r.Headers.TryAddWithoutValidation("X-Amz-Security-Token", session.SessionToken));

        AssertKmsError(reply, HttpStatusCode.BadRequest, "InvalidSignatureException",
            "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.");
        Assert.DoesNotContain(session.SessionToken!, reply.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sts_UnsignedSecurityToken_IsSignatureDoesNotMatch()
    {
        var session = await AssumeSeedRoleAsync();

        var reply = await Api.StsAsync(new Dictionary<string, string> { ["Action"] = "GetCallerIdentity", ["Version"] = "2011-06-15" },
            session with { SessionToken = null },
            mutate: r => r.Headers.TryAddWithoutValidation("X-Amz-Security-Token", session.SessionToken));

        AssertStsError(reply, HttpStatusCode.Forbidden, "SignatureDoesNotMatch",
            "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.");
    }

    [Theory]
    [InlineData("X-Amz-Date")]
    [InlineData("X-Amz-Content-Sha256")]
    public async Task Kms_UnsignedAmzHeader_IsInvalidSignatureException(string header)
    {
        var reply = await Api.KmsAsync("DescribeKey", DescribeBody, await AssumeSeedRoleAsync(),
            beforeSigning: r => r.Headers.TryAddWithoutValidation("X-Amz-Content-Sha256",
                Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(DescribeBody.ToJsonString()))).ToLowerInvariant()),
            mutate: r =>
            {
                // The header is sent but its name is dropped from SignedHeaders, as a signer that left it out would.
                var authorization = r.Headers.GetValues("Authorization").Single();
                r.Headers.Remove("Authorization");
                r.Headers.TryAddWithoutValidation("Authorization", RemoveSignedHeader(authorization, header.ToLowerInvariant()));
            });

        AssertKmsError(reply, HttpStatusCode.BadRequest, "InvalidSignatureException",
            $"'{header}' must be a 'SignedHeader' in the AWS Authorization.");
    }

    [Fact]
    public async Task Kms_SignedSixMinutesAgo_IsSignatureExpired()
    {
        var reply = await Api.KmsAsync("DescribeKey", DescribeBody, await AssumeSeedRoleAsync(), clockOffset: TimeSpan.FromMinutes(-6));

        AssertKmsError(reply, HttpStatusCode.BadRequest, "InvalidSignatureException",
            "Signature expired: 20260901T075400Z is now earlier than 20260901T075500Z (20260901T080000Z - 5 min.)");
    }

    [Fact]
    public async Task Kms_SignedSixMinutesAhead_IsSignatureNotYetCurrent()
    {
        var reply = await Api.KmsAsync("DescribeKey", DescribeBody, await AssumeSeedRoleAsync(), clockOffset: TimeSpan.FromMinutes(6));

        AssertKmsError(reply, HttpStatusCode.BadRequest, "InvalidSignatureException",
            "Signature not yet current: 20260901T080600Z is still later than 20260901T080500Z (20260901T080000Z + 5 min.)");
    }

    [Fact]
    public async Task Kms_SignedFourMinutesOff_IsAccepted()
    {
        var session = await AssumeSeedRoleAsync();

        Assert.Equal(HttpStatusCode.OK, (await Api.KmsAsync("DescribeKey", DescribeBody, session, clockOffset: TimeSpan.FromMinutes(-4))).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.KmsAsync("DescribeKey", DescribeBody, session, clockOffset: TimeSpan.FromMinutes(4))).Status);
    }

    [Fact]
    public async Task Sts_SkewUpToFifteenMinutes_IsAcceptedBeyondIsSignatureDoesNotMatch()
    {
        var within = await Api.StsAsync(new Dictionary<string, string> { ["Action"] = "GetCallerIdentity", ["Version"] = "2011-06-15" },
            Console, clockOffset: TimeSpan.FromMinutes(-14));
        var beyond = await Api.StsAsync(new Dictionary<string, string> { ["Action"] = "GetCallerIdentity", ["Version"] = "2011-06-15" },
            Console, clockOffset: TimeSpan.FromMinutes(-16));

        Assert.Equal(HttpStatusCode.OK, within.Status);
        AssertStsError(beyond, HttpStatusCode.Forbidden, "SignatureDoesNotMatch",
            "Signature expired: 20260901T074400Z is now earlier than 20260901T074500Z (20260901T080000Z - 15 min.)");
    }

    [Fact]
    public async Task Kms_ScopedToStsService_IsInvalidSignatureException()
    {
        var reply = await Api.KmsAsync("DescribeKey", DescribeBody, await AssumeSeedRoleAsync(), scopeService: "sts");

        AssertKmsError(reply, HttpStatusCode.BadRequest, "InvalidSignatureException", "Credential should be scoped to correct service: 'kms'. ");
    }

    [Fact]
    public async Task Sts_ScopedToKmsService_IsSignatureDoesNotMatch()
    {
        var reply = await Api.StsAsync(new Dictionary<string, string> { ["Action"] = "GetCallerIdentity", ["Version"] = "2011-06-15" },
            Console, scopeService: "kms");

        AssertStsError(reply, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sts'. ");
    }

    [Fact]
    public async Task Kms_ScopedToAnotherRegion_IsInvalidSignatureException()
    {
        var reply = await Api.KmsAsync("DescribeKey", DescribeBody, await AssumeSeedRoleAsync(), scopeRegion: "eu-west-1");

        AssertKmsError(reply, HttpStatusCode.BadRequest, "InvalidSignatureException", "Credential should be scoped to a valid region. ");
    }

    [Fact]
    public async Task Kms_SessionKeyWithoutItsToken_IsUnrecognizedClientException()
    {
        var session = await AssumeSeedRoleAsync();

        var noToken = await Api.KmsAsync("DescribeKey", DescribeBody, session with { SessionToken = null });
        var otherToken = await Api.KmsAsync("DescribeKey", DescribeBody, session with { SessionToken = session.SessionToken + "x" });

        AssertKmsError(noToken, HttpStatusCode.BadRequest, "UnrecognizedClientException");
        AssertKmsError(otherToken, HttpStatusCode.BadRequest, "UnrecognizedClientException");
    }

    [Fact]
    public async Task Kms_MalformedAuthorization_IsIncompleteSignatureException()
    {
        var reply = await Api.KmsAsync("DescribeKey", DescribeBody, null,
            mutate: r => r.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKIA/20260901/us-east-1/kms/aws4_request"));

        AssertKmsError(reply, HttpStatusCode.BadRequest, "IncompleteSignatureException", "Authorization header requires 'SignedHeaders' parameter.");
    }

    [Fact]
    public async Task Kms_ErrorMessages_NeverContainTheSecretOrToken()
    {
        var session = await AssumeSeedRoleAsync();
        var replies = new[]
        {
            await Api.KmsAsync("DescribeKey", DescribeBody, session with { SecretAccessKey = "wrong" }),
            await Api.KmsAsync("DescribeKey", DescribeBody, session with { SessionToken = "wrong" }),
            await Api.KmsAsync("Encrypt", new JsonObject { ["KeyId"] = Aws.KeyArn, ["Plaintext"] = "AA==" }, AwsCredentials.From(Aws.ConsoleAccessKey)),
        };

        foreach (var reply in replies)
        {
            Assert.DoesNotContain(session.SecretAccessKey, reply.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(session.SessionToken!, reply.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(Aws.ConsoleAccessKey.SecretAccessKey, reply.Body, StringComparison.Ordinal);
        }
    }

    private static string RemoveSignedHeader(string authorization, string header)
    {
        const string Marker = "SignedHeaders=";
        var start = authorization.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length;
        var end = authorization.IndexOf(',', start);
        var names = authorization[start..end].Split(';').Where(n => n != header);
        return authorization[..start] + string.Join(';', names) + authorization[end..];
    }
}
