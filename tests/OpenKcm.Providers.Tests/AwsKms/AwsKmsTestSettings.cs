using System.Collections.Immutable;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.AwsKms;

namespace OpenKcm.Providers.Tests.AwsKms;

/// <summary>Settings in the seed's shape, for tests to start from and vary.</summary>
internal static class AwsKmsTestSettings
{
    public const string KeyArn = "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012";
    public const string RoleArn = "arn:aws:iam::123456789012:role/OpenKCM-KMS-Access";

    public static readonly IReadOnlySet<string> SecretStored = new HashSet<string> { AwsKmsFieldNames.SecretAccessKey };

    public static KeystoreSettings Seed() =>
        new(ImmutableDictionary<string, string>.Empty
            .Add(AwsKmsFieldNames.Region, "us-east-1")
            .Add(AwsKmsFieldNames.KmsKeyId, KeyArn)
            .Add(AwsKmsFieldNames.RoleArn, RoleArn)
            .Add(AwsKmsFieldNames.ExternalId, "openkcm-external-id-12345")
            .Add(AwsKmsFieldNames.CredentialSource, AwsKmsFieldNames.AccessKeys)
            .Add(AwsKmsFieldNames.AccessKeyId, "AKIAIOSFODNN7EXAMPLE"));

    public static AwsKmsPlugin Plugin(AwsKmsOptions? options = null)
    {
        options ??= new AwsKmsOptions();
        return new AwsKmsPlugin(new AwsHttpHandlerPool(options), TimeProvider.System, options);
    }
}
