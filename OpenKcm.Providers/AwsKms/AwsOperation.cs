namespace OpenKcm.Providers.AwsKms;

/// <summary>The AWS API calls the plugin makes. Nothing else is ever called (see <see cref="AwsKmsGuidance"/>).</summary>
internal enum AwsOperation
{
    GetCallerIdentity,
    AssumeRole,
    DescribeKey,
    Encrypt,
    Decrypt,
    GenerateDataKey,
}

internal static class AwsOperations
{
    /// <summary>The IAM action that authorizes <paramref name="operation"/>, e.g. <c>kms:Encrypt</c>.</summary>
    public static string Action(this AwsOperation operation) => operation switch
    {
        AwsOperation.GetCallerIdentity or AwsOperation.AssumeRole => $"sts:{operation}",
        _ => $"kms:{operation}",
    };

    /// <summary>The KMS actions the role needs on the key: exactly what the checks and key operations call.</summary>
    public static readonly IReadOnlyList<string> KeyActions =
        [AwsOperation.DescribeKey.Action(), AwsOperation.Encrypt.Action(), AwsOperation.Decrypt.Action(), AwsOperation.GenerateDataKey.Action()];
}
