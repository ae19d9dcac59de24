using System.Security.Cryptography;

namespace OpenKcm.Sandbox.AwsKms.Core;

/// <summary>Random identifiers in AWS's shapes (access key ids, secrets, unique ids, external ids). Thread-safe.</summary>
internal static class AwsIds
{
    private const string Base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary><paramref name="prefix"/> (AKIA, ASIA, AIDA, AROA) and 16 characters of <c>[A-Z2-7]</c>: 20 in all.</summary>
    public static string Id(string prefix) => prefix + RandomNumberGenerator.GetString(Base32, 16);

    /// <summary>40 characters of the base64 alphabet, as AWS secret access keys are.</summary>
    public static string Secret() => RandomNumberGenerator.GetString(SecretAlphabet, 40);

    /// <summary>An opaque session token (base64 of 96 random bytes, 128 characters).</summary>
    public static string SessionToken() => "IQoJb3JpZ2luX2VjE" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(96));

    public static string ExternalId() => "openkcm-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string RequestId() => Guid.NewGuid().ToString();
}
