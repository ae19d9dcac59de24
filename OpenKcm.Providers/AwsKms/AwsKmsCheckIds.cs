namespace OpenKcm.Providers.AwsKms;

/// <summary>The stable ids of the AWS KMS Test Connection checks, in the order they run.</summary>
public static class AwsKmsCheckIds
{
    /// <summary>STS GetCallerIdentity with the console's own credentials.</summary>
    public const string ConsoleCredentials = "console_credentials";

    /// <summary>STS AssumeRole with the external ID.</summary>
    public const string AssumeRole = "assume_role";

    /// <summary>KMS DescribeKey: exists, enabled, ENCRYPT_DECRYPT, SYMMETRIC_DEFAULT, not pending deletion or import.</summary>
    public const string DescribeKey = "describe_key";

    /// <summary>KMS Encrypt and Decrypt round trip with an encryption context (a different context must fail).</summary>
    public const string EncryptDecrypt = "encrypt_decrypt";

    /// <summary>KMS GenerateDataKey (AES_256).</summary>
    public const string GenerateDataKey = "generate_data_key";
}
