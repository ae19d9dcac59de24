using System.Text.RegularExpressions;

namespace OpenKcm.Providers.AwsKms;

/// <summary>How <c>kms_key_id</c> names the key.</summary>
internal enum AwsKeyReferenceKind
{
    /// <summary><c>arn:aws:kms:us-east-1:111122223333:key/1234abcd-...</c></summary>
    KeyArn,

    /// <summary><c>1234abcd-12ab-34cd-56ef-1234567890ab</c> or a multi-Region <c>mrk-...</c> id, in the role's account.</summary>
    KeyId,

    /// <summary><c>alias/openkcm-l1</c>, in the role's account.</summary>
    AliasName,

    /// <summary><c>arn:aws:kms:us-east-1:111122223333:alias/openkcm-l1</c></summary>
    AliasArn,
}

/// <summary>
/// A parsed <c>kms_key_id</c>. <see cref="Value"/> is what is sent as KMS <c>KeyId</c> on every call, unchanged, so
/// that a policy condition on the alias (<c>kms:RequestAlias</c>) matches every request.
/// </summary>
internal sealed partial record AwsKeyReference(
    AwsKeyReferenceKind Kind, string Value, string? Partition, string? Region, string? Account, string Resource)
{
    public bool IsAlias => Kind is AwsKeyReferenceKind.AliasName or AwsKeyReferenceKind.AliasArn;

    /// <summary>The alias name (<c>alias/...</c>) for an alias reference.</summary>
    public string? AliasName => IsAlias ? Resource : null;

    /// <summary>Parses <paramref name="value"/>; on failure returns null and the reason in <paramref name="error"/>.</summary>
    public static AwsKeyReference? Parse(string value, out string? error)
    {
        error = null;
        if (value.StartsWith("arn:", StringComparison.Ordinal))
        {
            var parts = value.Split(':', 6);
            if (parts.Length != 6)
            {
                error = "A KMS ARN has six parts: arn:<partition>:kms:<region>:<account>:key/<key-id> (or :alias/<name>).";
                return null;
            }

            var (partition, service, region, account, resource) = (parts[1], parts[2], parts[3], parts[4], parts[5]);
            if (service != "kms")
            {
                error = $"This is an ARN of the '{service}' service, not of a KMS key: expected arn:{partition}:kms:<region>:<account>:key/<key-id>.";
                return null;
            }

            if (!AwsRegions.IsKnownPartition(partition))
            {
                error = $"'{partition}' is not an AWS partition (aws, aws-cn, aws-us-gov, ...).";
                return null;
            }

            if (region.Length == 0)
            {
                error = "The key ARN lacks its region: arn:<partition>:kms:<region>:<account>:key/<key-id>.";
                return null;
            }

            if (!AccountRegex().IsMatch(account))
            {
                error = $"The account in a key ARN is 12 digits (e.g. 111122223333); '{account}' is not.";
                return null;
            }

            if (resource.StartsWith("key/", StringComparison.Ordinal))
            {
                if (!KeyIdRegex().IsMatch(resource[4..]))
                {
                    error = $"'{resource[4..]}' is not a KMS key id: a key id is a UUID (1234abcd-12ab-34cd-56ef-1234567890ab) or a multi-Region key id (mrk- and 32 hex digits).";
                    return null;
                }

                return new(AwsKeyReferenceKind.KeyArn, value, partition, region, account, resource);
            }

            if (resource.StartsWith("alias/", StringComparison.Ordinal))
            {
                return AliasError(resource) is { } aliasError
                    ? Fail(aliasError, out error)
                    : new(AwsKeyReferenceKind.AliasArn, value, partition, region, account, resource);
            }

            error = $"The resource of a KMS ARN is key/<key-id> or alias/<name>; '{resource}' is neither.";
            return null;
        }

        if (value.StartsWith("alias/", StringComparison.Ordinal))
        {
            return AliasError(value) is { } aliasError
                ? Fail(aliasError, out error)
                : new(AwsKeyReferenceKind.AliasName, value, null, null, null, value);
        }

        if (KeyIdRegex().IsMatch(value))
        {
            return new(AwsKeyReferenceKind.KeyId, value, null, null, null, "key/" + value);
        }

        error = "Enter the key ARN (arn:aws:kms:<region>:<account>:key/<key-id>), the key id (a UUID), an alias name "
            + "(alias/<name>) or an alias ARN.";
        return null;
    }

    private static AwsKeyReference? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }

    private static string? AliasError(string alias)
    {
        var name = alias["alias/".Length..];
        if (name.StartsWith("aws/", StringComparison.Ordinal))
        {
            return $"'{alias}' is an AWS managed key: its key policy cannot be changed to let your role use it, and AWS uses it "
                + "only for its own services. Create a customer managed key for OpenKCM.";
        }

        return AliasRegex().IsMatch(name) && alias.Length <= 256
            ? null
            : "An alias name is alias/ followed by letters, digits, '/', '_' and '-' (at most 256 characters in all), e.g. alias/openkcm-l1.";
    }

    [GeneratedRegex(@"^[0-9]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountRegex();

    [GeneratedRegex(@"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyIdRegex();

    [GeneratedRegex(@"^[A-Za-z0-9/_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex AliasRegex();
}
