using OpenKcm.Sandbox.AwsKms;

namespace OpenKcm.Sandbox.Tests.AwsKms.Support;

/// <summary>Credentials a test signs with: a user's key pair, or an assumed role's (with its session token).</summary>
internal sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    public static AwsCredentials From(AwsAccessKey key) => new(key.AccessKeyId, key.SecretAccessKey);
}
