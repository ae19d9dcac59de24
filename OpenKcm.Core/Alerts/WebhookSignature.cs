using System.Security.Cryptography;
using System.Text;

namespace OpenKcm.Core.Alerts;

/// <summary>
/// The <c>X-OpenKCM-Signature</c> header: <c>sha256=</c> + lower-case hex HMAC-SHA256, keyed with the signing secret
/// exactly as shown at creation (its ASCII bytes), over <c>timestamp + "." + body</c> where timestamp is the
/// <c>X-OpenKCM-Timestamp</c> header (Unix seconds). Receivers recompute it and compare in constant time.
/// </summary>
public static class WebhookSignature
{
    public const string EventIdHeader = "X-OpenKCM-Event-Id";
    public const string TimestampHeader = "X-OpenKCM-Timestamp";
    public const string SignatureHeader = "X-OpenKCM-Signature";
    public const string Prefix = "sha256=";

    public static string Compute(ReadOnlySpan<byte> secret, string timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(timestamp);
        var prefix = Encoding.ASCII.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(secret, message));
    }

    /// <summary>True when <paramref name="header"/> is the signature of <paramref name="body"/> (constant-time compare).</summary>
    public static bool Verify(ReadOnlySpan<byte> secret, string timestamp, ReadOnlySpan<byte> body, string? header)
    {
        if (header is null)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, timestamp, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(header));
    }
}
