using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.AwsKms;

namespace OpenKcm.Providers.Tests.AwsKms;

public sealed class AwsKmsValidationTests
{
    private readonly AwsKmsPlugin _plugin = AwsKmsTestSettings.Plugin();

    [Fact]
    public void Validate_SeedConfiguration_HasNoErrors() =>
        Assert.Empty(_plugin.Validate(AwsKmsTestSettings.Seed(), AwsKmsTestSettings.SecretStored));

    public static TheoryData<string, string> ValidValues => new()
    {
        { AwsKmsFieldNames.KmsKeyId, "12345678-1234-1234-1234-123456789012" },
        { AwsKmsFieldNames.KmsKeyId, "mrk-1234abcd12ab34cd56ef1234567890ab" },
        { AwsKmsFieldNames.KmsKeyId, "alias/openkcm-l1" },
        { AwsKmsFieldNames.KmsKeyId, "arn:aws:kms:us-east-1:123456789012:alias/openkcm/l1" },
        { AwsKmsFieldNames.RoleArn, "arn:aws:iam::123456789012:role/service-role/team/OpenKCM_Access+1" },
        { AwsKmsFieldNames.ExternalId, "ab" },
        { AwsKmsFieldNames.ExternalId, "a:b/c=d,e.f@g+h_i-j" },
        { AwsKmsFieldNames.Endpoint, "https://kms-fips.us-east-1.amazonaws.com" },
        { AwsKmsFieldNames.Endpoint, "http://127.0.0.1:4566" },
        { AwsKmsFieldNames.StsEndpoint, "https://sts.us-east-1.amazonaws.com" },
    };

    [Theory]
    [MemberData(nameof(ValidValues))]
    public void Validate_ValidValue_IsAccepted(string field, string value) =>
        Assert.Empty(_plugin.Validate(AwsKmsTestSettings.Seed().With(field, value), AwsKmsTestSettings.SecretStored));

    [Theory]
    [InlineData("eu-central-2", "aws")]
    [InlineData("cn-north-1", "aws-cn")]
    [InlineData("cn-northwest-1", "aws-cn")]
    [InlineData("us-gov-west-1", "aws-us-gov")]
    [InlineData("us-gov-east-1", "aws-us-gov")]
    public void Validate_RegionOfAnyPartition_IsAcceptedWithMatchingArns(string region, string partition)
    {
        var settings = AwsKmsTestSettings.Seed()
            .With(AwsKmsFieldNames.Region, region)
            .With(AwsKmsFieldNames.RoleArn, $"arn:{partition}:iam::123456789012:role/OpenKCM")
            .With(AwsKmsFieldNames.KmsKeyId, $"arn:{partition}:kms:{region}:123456789012:key/12345678-1234-1234-1234-123456789012");

        Assert.Empty(_plugin.Validate(settings, AwsKmsTestSettings.SecretStored));
    }

    public static TheoryData<string, string, string> InvalidValues => new()
    {
        { AwsKmsFieldNames.Region, "us-east-7", "not an AWS region known" },
        { AwsKmsFieldNames.Region, "US-EAST-1", "use 'us-east-1'" },
        { AwsKmsFieldNames.Region, "us-east-1a", "availability zone; the region is 'us-east-1'" },
        { AwsKmsFieldNames.Region, "Europe (Frankfurt)", "'eu-central-1'" },
        { AwsKmsFieldNames.KmsKeyId, "arn:aws:kms:us-east-1:123456789012", "six parts" },
        { AwsKmsFieldNames.KmsKeyId, "arn:aws:s3:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012", "'s3' service" },
        { AwsKmsFieldNames.KmsKeyId, "arn:aws:kms:us-east-1:1234:key/12345678-1234-1234-1234-123456789012", "12 digits" },
        { AwsKmsFieldNames.KmsKeyId, "arn:aws:kms:us-east-1:123456789012:key/not-a-key", "not a KMS key id" },
        { AwsKmsFieldNames.KmsKeyId, "arn:aws:kms:eu-west-1:123456789012:key/12345678-1234-1234-1234-123456789012", "is in eu-west-1 but the region is us-east-1" },
        { AwsKmsFieldNames.KmsKeyId, "arn:aws:kms:us-east-1:123456789012:grant/x", "key/<key-id> or alias/<name>" },
        { AwsKmsFieldNames.KmsKeyId, "arn:aws:kms::123456789012:key/12345678-1234-1234-1234-123456789012", "lacks its region" },
        { AwsKmsFieldNames.KmsKeyId, "arn:aws-cn:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012", "partition 'aws-cn'" },
        { AwsKmsFieldNames.KmsKeyId, "arn:aws:kms:us-east-1:999999999999:alias/openkcm-l1", "An alias works only in its own account" },
        { AwsKmsFieldNames.KmsKeyId, "alias/aws/ebs", "AWS managed key" },
        { AwsKmsFieldNames.KmsKeyId, "alias/has space", "An alias name is alias/" },
        { AwsKmsFieldNames.KmsKeyId, "openkcm-l1", "Enter the key ARN" },
        { AwsKmsFieldNames.RoleArn, "OpenKCM-KMS-Access", "Enter the role's ARN" },
        { AwsKmsFieldNames.RoleArn, "arn:aws:iam::12345:role/OpenKCM", "12 digits (e.g. 123456789012); '12345' is not" },
        { AwsKmsFieldNames.RoleArn, "arn:aws:iam::12345678901a:role/OpenKCM", "12 digits" },
        { AwsKmsFieldNames.RoleArn, "arn:aws:iam:us-east-1:123456789012:role/OpenKCM", "no region" },
        { AwsKmsFieldNames.RoleArn, "arn:aws:iam::123456789012:user/openkcm", "names 'user', not a role" },
        { AwsKmsFieldNames.RoleArn, "arn:aws:sts::123456789012:assumed-role/OpenKCM/s", "STS (assumed-role session) ARN" },
        { AwsKmsFieldNames.RoleArn, "arn:aws:iam::123456789012:role/bad name", "A role name is 1 to 64" },
        { AwsKmsFieldNames.RoleArn, "arn:aws-cn:iam::123456789012:role/OpenKCM", "partition 'aws-cn'" },
        { AwsKmsFieldNames.RoleArn, "arn:nope:iam::123456789012:role/OpenKCM", "not an AWS partition" },
        { AwsKmsFieldNames.ExternalId, "x", "2 to 1224 characters long; this one has 1" },
        { AwsKmsFieldNames.ExternalId, new string('a', 1225), "this one has 1225" },
        { AwsKmsFieldNames.ExternalId, "has space", "not 'a space'" },
        { AwsKmsFieldNames.ExternalId, "semi;colon", "not ';'" },
        { AwsKmsFieldNames.AccessKeyId, "ASIAIOSFODNN7EXAMPLE", "temporary STS credentials" },
        { AwsKmsFieldNames.AccessKeyId, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "Do not paste the secret access key here" },
        { AwsKmsFieldNames.AccessKeyId, "AKIA", "starts with AKIA" },
        { AwsKmsFieldNames.CredentialSource, "instance_profile", "Choose 'access_keys'" },
        { AwsKmsFieldNames.Endpoint, "http://kms.example.com", "plain http is accepted only for loopback" },
        { AwsKmsFieldNames.Endpoint, "https://kms.example.com/path", "no path" },
        { AwsKmsFieldNames.Endpoint, "kms.us-east-1.amazonaws.com", "absolute https:// URL" },
        { AwsKmsFieldNames.StsEndpoint, "ftp://sts.example.com", "absolute https:// URL of the STS endpoint" },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void Validate_InvalidValue_IsRefusedWithTheReason(string field, string value, string reason)
    {
        var errors = _plugin.Validate(AwsKmsTestSettings.Seed().With(field, value), AwsKmsTestSettings.SecretStored);

        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData(AwsKmsFieldNames.Region)]
    [InlineData(AwsKmsFieldNames.KmsKeyId)]
    [InlineData(AwsKmsFieldNames.RoleArn)]
    [InlineData(AwsKmsFieldNames.ExternalId)]
    [InlineData(AwsKmsFieldNames.AccessKeyId)]
    public void Validate_MissingRequiredValue_NamesTheField(string field)
    {
        var errors = _plugin.Validate(AwsKmsTestSettings.Seed().With(field, null), AwsKmsTestSettings.SecretStored);

        Assert.Equal(field, Assert.Single(errors).Field);
    }

    [Fact]
    public void Validate_AccessKeysWithoutStoredSecret_AsksForTheSecret()
    {
        var errors = _plugin.Validate(AwsKmsTestSettings.Seed(), new HashSet<string>());

        Assert.Equal(AwsKmsFieldNames.SecretAccessKey, Assert.Single(errors).Field);
    }

    [Fact]
    public void Validate_DefaultChain_NeedsNoAccessKey()
    {
        var settings = AwsKmsTestSettings.Seed().With(AwsKmsFieldNames.CredentialSource, AwsKmsFieldNames.DefaultChain).With(AwsKmsFieldNames.AccessKeyId, null);

        Assert.Empty(_plugin.Validate(settings, new HashSet<string>()));
    }

    [Fact]
    public void CoreValidation_AccessKeyIdWithDefaultChain_IsRefusedAsNotApplicable()
    {
        var settings = AwsKmsTestSettings.Seed().With(AwsKmsFieldNames.CredentialSource, AwsKmsFieldNames.DefaultChain);

        var errors = KeystoreValidation.Validate(_plugin, settings, new HashSet<string>(), []);

        Assert.Contains(errors, e => e.Field == AwsKmsFieldNames.AccessKeyId && e.Message.Contains("applies only when", StringComparison.Ordinal));
    }

    [Fact]
    public void CoreValidation_SeedWithSecretEntered_IsValid() =>
        Assert.Empty(KeystoreValidation.Validate(_plugin, AwsKmsTestSettings.Seed(), AwsKmsTestSettings.SecretStored, [AwsKmsFieldNames.SecretAccessKey]));

    [Fact]
    public void Descriptor_FieldsAndChecks_MatchTheSeedAndTheBrief()
    {
        var descriptor = _plugin.Descriptor;

        Assert.Equal("aws_kms", descriptor.Kind);
        Assert.Equal(
            ["region", "kms_key_id", "role_arn", "external_id", "credential_source", "access_key_id", "secret_access_key", "endpoint", "sts_endpoint"],
            descriptor.Fields.Select(f => f.Name));
        Assert.Equal(FieldType.Secret, descriptor.FindField(AwsKmsFieldNames.SecretAccessKey)!.Type);
        Assert.Equal(AwsKmsFieldNames.CredentialSource, descriptor.FindField(AwsKmsFieldNames.AccessKeyId)!.ShownWhen!.Field);
        Assert.Equal(["console_credentials", "assume_role", "describe_key", "encrypt_decrypt", "generate_data_key"], descriptor.Checks.Select(c => c.Id));
    }

    [Theory]
    [InlineData("acme", "primary_aws_kms", "openkcm-acme-primary_aws_kms")]
    [InlineData("a b", "x/y", "openkcm-a-b-x-y")]
    public void SessionName_IdentifiesConsoleTenantAndKeystore(string tenant, string keystore, string expected) =>
        Assert.Equal(expected, AwsKmsConfiguration.SessionNameFor(new KeystoreContext(Guid.NewGuid(), keystore, Guid.NewGuid(), tenant)));

    [Fact]
    public void SessionName_TooLong_IsCutTo64Characters()
    {
        var name = AwsKmsConfiguration.SessionNameFor(new KeystoreContext(Guid.NewGuid(), new string('k', 64), Guid.NewGuid(), "acme"));

        Assert.Equal(64, name.Length);
        Assert.StartsWith("openkcm-acme-", name);
    }

    [Fact]
    public void Configuration_LoopbackEndpointWithoutStsEndpoint_UsesItForStsToo()
    {
        var configuration = AwsKmsConfiguration.Parse(AwsKmsTestSettings.Seed().With(AwsKmsFieldNames.Endpoint, "http://127.0.0.1:4566"));

        Assert.Equal(new Uri("http://127.0.0.1:4566"), configuration.StsEndpoint);
        Assert.Null(AwsKmsConfiguration.Parse(AwsKmsTestSettings.Seed().With(AwsKmsFieldNames.Endpoint, "https://kms-fips.us-east-1.amazonaws.com")).StsEndpoint);
    }
}
