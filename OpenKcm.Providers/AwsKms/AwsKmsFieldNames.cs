namespace OpenKcm.Providers.AwsKms;

/// <summary>
/// The AWS KMS configuration field names, exactly as in the seed JSON (<c>"configuration": {...}</c>), so the wizard,
/// JSON import/export and tests share one spelling.
/// </summary>
public static class AwsKmsFieldNames
{
    /// <summary>The AWS region of the KMS key, e.g. <c>us-east-1</c>.</summary>
    public const string Region = "region";

    /// <summary>Key ARN, key id, <c>alias/name</c> or alias ARN of the L1 key.</summary>
    public const string KmsKeyId = "kms_key_id";

    /// <summary>The IAM role the console assumes to use the key.</summary>
    public const string RoleArn = "role_arn";

    /// <summary>The external ID the role's trust policy requires (sts:ExternalId).</summary>
    public const string ExternalId = "external_id";

    /// <summary>How the console authenticates to STS: <see cref="AccessKeys"/> or <see cref="DefaultChain"/>.</summary>
    public const string CredentialSource = "credential_source";

    /// <summary>The console's IAM access key ID (only with <see cref="AccessKeys"/>).</summary>
    public const string AccessKeyId = "access_key_id";

    /// <summary>Secret field: the console's IAM secret access key, kept in the credential vault.</summary>
    public const string SecretAccessKey = "secret_access_key";

    /// <summary>Optional KMS endpoint override (VPC or FIPS endpoint; the sandbox's emulator).</summary>
    public const string Endpoint = "endpoint";

    /// <summary>Optional STS endpoint override.</summary>
    public const string StsEndpoint = "sts_endpoint";

    /// <summary><see cref="CredentialSource"/>: an access key pair stored in the credential vault.</summary>
    public const string AccessKeys = "access_keys";

    /// <summary><see cref="CredentialSource"/>: the console host's standard AWS credential chain.</summary>
    public const string DefaultChain = "default_chain";
}
