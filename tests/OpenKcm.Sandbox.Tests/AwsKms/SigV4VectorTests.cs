using System.Text;
using OpenKcm.Sandbox.AwsKms.Auth;

namespace OpenKcm.Sandbox.Tests.AwsKms;

/// <summary>
/// The verifier's SigV4 computation against AWS's published test suite ("aws-sig-v4-test-suite", as kept in
/// awslabs/aws-c-auth under <c>tests/aws-signing-test-suite/v4/</c>): credentials AKIDEXAMPLE /
/// wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 2015-08-30T12:36:00Z, us-east-1, service "service". Each case
/// names its folder; requests and signatures are the suite's <c>header-signed-request.txt</c>
/// (commit 4ec99f28 / 71a25bde), canonical requests and strings to sign its <c>query-*.txt</c> (commit e70d49e6).
/// </summary>
public sealed class SigV4VectorTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string AmzDate = "20150830T123600Z";
    private const string Scope = "20150830/us-east-1/service/aws4_request";
    private const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static TheoryData<string, string, string, string[], string, string> SignedRequests => new()
    {
        // folder, method, raw query, extra headers ("Name:value"), body, Authorization header
        {
            "get-vanilla", "GET", "", [], "",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        },
        {
            "post-vanilla", "POST", "", [], "",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        },
        {
            "get-vanilla-query-order-key-case", "GET", "Param2=value2&Param1=value1", [], "",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        },
        {
            // The suite's request line carries the raw UTF-8 name; on the wire a client sends it percent-encoded.
            "get-vanilla-utf8-query", "GET", "%E1%88%B4=bar", [], "",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"
        },
        {
            "get-header-value-trim", "GET", "", ["My-Header1: value1", "My-Header2: \"a   b   c\""], "",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
        },
        {
            "get-vanilla-with-session-token", "GET", "", ["X-Amz-Security-Token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"], "",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"
        },
        {
            "post-x-www-form-urlencoded", "POST", "",
            ["Content-Type:application/x-www-form-urlencoded", "Content-Length:13",
             "x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"],
            "Param1=value1",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"
        },
    };

    [Theory]
    [MemberData(nameof(SignedRequests))]
    public void Signature_PublishedVector_Matches(string folder, string method, string rawQuery, string[] extraHeaders, string body, string authorization)
    {
        var headers = new List<KeyValuePair<string, string>>
        {
            new("Host", "example.amazonaws.com"),
            new("X-Amz-Date", AmzDate),
        };
        headers.AddRange(extraHeaders.Select(h => new KeyValuePair<string, string>(h[..h.IndexOf(':')], h[(h.IndexOf(':') + 1)..])));
        var parsed = SigV4Authorization.TryParse(authorization, out var error);
        Assert.True(parsed is not null, $"{folder}: {error}");
        Assert.Equal(Scope, parsed.Scope);

        var bodyBytes = Encoding.UTF8.GetBytes(body);
        var canonical = SigV4.CanonicalRequest(method, "/", rawQuery, headers, parsed.SignedHeaders, SigV4.PayloadHash(bodyBytes));
        var signature = SigV4.Signature(SigV4.SigningKey(Secret, parsed.Date, parsed.Region, parsed.Service),
            SigV4.StringToSign(AmzDate, parsed.Scope, canonical));

        Assert.Equal(parsed.Signature, signature);
    }

    [Fact]
    public void CanonicalRequest_QueryOrderKeyCaseVector_MatchesPublishedCanonicalRequestAndStringToSign()
    {
        // get-vanilla-query-order-key-case/query-canonical-request.txt and query-string-to-sign.txt (presigned form).
        const string rawQuery = "Param2=value2&Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host";
        const string expectedCanonical = "GET\n/\n"
            + "Param1=value1&Param2=value2&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host\n"
            + "host:example.amazonaws.com\n\nhost\n" + EmptyHash;
        const string expectedStringToSign = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            + "eb1512f5ed1470925b7b1072c2108953680032d6bc3ccbef8eb7c6fdf1639827";

        var canonical = SigV4.CanonicalRequest("GET", "/", rawQuery, [new("Host", "example.amazonaws.com")], ["host"], EmptyHash);

        Assert.Equal(expectedCanonical, canonical);
        Assert.Equal(expectedStringToSign, SigV4.StringToSign(AmzDate, Scope, canonical));
    }

    [Fact]
    public void Signature_VectorWithOneByteChanged_DoesNotMatch()
    {
        var parsed = SigV4Authorization.TryParse(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            out _)!;
        var canonical = SigV4.CanonicalRequest("GET", "/", "", [new("Host", "example.amazonaws.com"), new("X-Amz-Date", "20150830T123601Z")],
            parsed.SignedHeaders, EmptyHash);

        var signature = SigV4.Signature(SigV4.SigningKey(Secret, parsed.Date, parsed.Region, parsed.Service),
            SigV4.StringToSign("20150830T123601Z", parsed.Scope, canonical));

        Assert.NotEqual(parsed.Signature, signature);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab", "'Credential'")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/kms/aws4_request, Signature=ab", "'SignedHeaders'")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/kms, SignedHeaders=host, Signature=ab", "5 slash-delimited")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/kms/aws5_request, SignedHeaders=host, Signature=ab", "terminator")]
    [InlineData("AWS4-HMAC-SHA1 Credential=AKID/20150830/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=ab", "algorithm")]
    [InlineData("AWS4-HMAC-SHA256 Credential", "key=value")]
    public void Parse_MalformedAuthorization_SaysWhatIsWrong(string header, string expected)
    {
        Assert.Null(SigV4Authorization.TryParse(header, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
