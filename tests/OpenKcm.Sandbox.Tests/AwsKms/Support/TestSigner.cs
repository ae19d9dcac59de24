using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OpenKcm.Sandbox.Tests.AwsKms.Support;

/// <summary>
/// The tests' own SigV4 signer, written from the SigV4 documentation independently of the emulator's verifier (a
/// shared bug would otherwise pass unnoticed). Signs host, content-type and every x-amz-* header present (date, target, security token, and whatever a test
/// added before signing); the canonical path and query of the requests the tests send are always "/" and "".
/// </summary>
internal static class TestSigner
{
    public static void Sign(HttpRequestMessage request, byte[] body, string accessKeyId, string secretAccessKey, string? sessionToken,
        string region, string service, DateTimeOffset signingTime)
    {
        var amzDate = signingTime.UtcDateTime.ToString("yyyyMMddTHHmmssZ", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (sessionToken is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", sessionToken);
        }

        var signed = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = request.RequestUri!.Authority,
            ["x-amz-date"] = amzDate,
        };
        if (request.Content?.Headers.ContentType is { } contentType)
        {
            signed["content-type"] = contentType.ToString();
        }

        foreach (var (name, values) in request.Headers)
        {
            if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
            {
                signed[name.ToLowerInvariant()] = string.Join(',', values);
            }
        }

        var headerBlock = string.Concat(signed.Select(h => $"{h.Key}:{h.Value.Trim()}\n"));
        var signedHeaders = string.Join(";", signed.Keys);
        var canonical = $"{request.Method.Method}\n/\n{request.RequestUri.Query.TrimStart('?')}\n{headerBlock}\n{signedHeaders}\n{Hex(SHA256.HashData(body))}";
        var scope = $"{date}/{region}/{service}/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        foreach (var part in new[] { date, region, service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
