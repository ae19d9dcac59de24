namespace OpenKcm.Sandbox.AwsKms;

/// <summary>An access key pair. <see cref="ToString"/> shows the key id only: the secret never reaches a log line.</summary>
public sealed record AwsAccessKey(string AccessKeyId, string SecretAccessKey)
{
    public override string ToString() => $"AwsAccessKey {{ AccessKeyId = {AccessKeyId}, SecretAccessKey = *** }}";
}
