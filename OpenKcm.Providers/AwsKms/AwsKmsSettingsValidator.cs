using System.Net;
using System.Text.RegularExpressions;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.AwsKms;

/// <summary>Pure validation of the AWS KMS settings (no I/O), shared by the wizard and the runtime.</summary>
internal static partial class AwsKmsSettingsValidator
{
    /// <summary>
    /// Validates <paramref name="settings"/>. <paramref name="secretKeyStored"/> tells whether a secret access key is in
    /// the vault (or was just entered); null skips that rule (the runtime resolves the secret itself).
    /// </summary>
    public static List<FieldError> Validate(KeystoreSettings settings, bool? secretKeyStored)
    {
        var errors = new List<FieldError>();

        var regionName = settings.Get(AwsKmsFieldNames.Region);
        AwsRegion? region = null;
        if (regionName is null)
        {
            errors.Add(new(AwsKmsFieldNames.Region, "Enter the AWS region of the key, e.g. us-east-1."));
        }
        else if ((region = AwsRegions.Find(regionName)) is null)
        {
            errors.Add(new(AwsKmsFieldNames.Region, AwsRegions.UnknownRegionMessage(regionName)));
        }

        var roleValue = settings.Get(AwsKmsFieldNames.RoleArn);
        AwsRoleArn? role = null;
        if (roleValue is null)
        {
            errors.Add(new(AwsKmsFieldNames.RoleArn,
                "Enter the ARN of the IAM role OpenKCM assumes, e.g. arn:aws:iam::123456789012:role/OpenKCM-KMS-Access."));
        }
        else if ((role = AwsRoleArn.Parse(roleValue, out var roleError)) is null)
        {
            errors.Add(new(AwsKmsFieldNames.RoleArn, roleError!));
        }
        else if (region is not null && role.Partition != region.Partition)
        {
            errors.Add(new(AwsKmsFieldNames.RoleArn,
                $"The role is in the partition '{role.Partition}' but the region {region.Name} is in '{region.Partition}': "
                + $"a role ARN for {region.Name} starts with arn:{region.Partition}:iam::."));
        }

        var keyValue = settings.Get(AwsKmsFieldNames.KmsKeyId);
        if (keyValue is null)
        {
            errors.Add(new(AwsKmsFieldNames.KmsKeyId,
                "Enter the L1 key: its ARN (arn:aws:kms:<region>:<account>:key/<key-id>), key id, alias/<name> or alias ARN."));
        }
        else if (AwsKeyReference.Parse(keyValue, out var keyError) is not { } key)
        {
            errors.Add(new(AwsKmsFieldNames.KmsKeyId, keyError!));
        }
        else if (region is not null && key.Region is { } keyRegion && keyRegion != region.Name)
        {
            errors.Add(new(AwsKmsFieldNames.KmsKeyId,
                $"The key ARN is in {keyRegion} but the region is {region.Name}: a KMS key is used in its own region. "
                + "Correct the region or the ARN."));
        }
        else if (region is not null && key.Partition is { } keyPartition && keyPartition != region.Partition)
        {
            errors.Add(new(AwsKmsFieldNames.KmsKeyId,
                $"The key ARN is in the partition '{keyPartition}' but {region.Name} is in '{region.Partition}'."));
        }
        else if (key.IsAlias && key.Account is { } aliasAccount && role is not null && aliasAccount != role.Account)
        {
            errors.Add(new(AwsKmsFieldNames.KmsKeyId,
                $"An alias works only in its own account ({aliasAccount}), and the role is in {role.Account}: enter the key ARN "
                + "to use a key of another account."));
        }

        var externalId = settings.Get(AwsKmsFieldNames.ExternalId);
        if (externalId is null)
        {
            errors.Add(new(AwsKmsFieldNames.ExternalId,
                "Enter the external ID that the role's trust policy requires (sts:ExternalId); it protects the role from "
                + "being assumed on another customer's behalf."));
        }
        else if (ExternalIdError(externalId) is { } externalIdError)
        {
            errors.Add(new(AwsKmsFieldNames.ExternalId, externalIdError));
        }

        var source = settings.Get(AwsKmsFieldNames.CredentialSource) ?? AwsKmsFieldNames.AccessKeys;
        if (source == AwsKmsFieldNames.AccessKeys)
        {
            var accessKeyId = settings.Get(AwsKmsFieldNames.AccessKeyId);
            if (accessKeyId is null)
            {
                errors.Add(new(AwsKmsFieldNames.AccessKeyId,
                    "Enter the access key ID of the IAM user the console signs in as (AKIA...)."));
            }
            else if (AccessKeyIdError(accessKeyId) is { } accessKeyError)
            {
                errors.Add(new(AwsKmsFieldNames.AccessKeyId, accessKeyError));
            }

            if (secretKeyStored == false)
            {
                errors.Add(new(AwsKmsFieldNames.SecretAccessKey, "Enter the secret access key that belongs to the access key ID."));
            }
        }
        else if (source != AwsKmsFieldNames.DefaultChain)
        {
            errors.Add(new(AwsKmsFieldNames.CredentialSource,
                $"Choose '{AwsKmsFieldNames.AccessKeys}' (an access key pair stored here) or '{AwsKmsFieldNames.DefaultChain}' "
                + "(the console host's environment, profile or instance role)."));
        }

        if (settings.Get(AwsKmsFieldNames.Endpoint) is { } endpoint && EndpointError(endpoint, "KMS") is { } endpointError)
        {
            errors.Add(new(AwsKmsFieldNames.Endpoint, endpointError));
        }

        if (settings.Get(AwsKmsFieldNames.StsEndpoint) is { } stsEndpoint && EndpointError(stsEndpoint, "STS") is { } stsError)
        {
            errors.Add(new(AwsKmsFieldNames.StsEndpoint, stsError));
        }

        return errors;
    }

    /// <summary>STS's rule for ExternalId: 2 to 1224 characters of <c>[\w+=,.@:/-]</c>.</summary>
    public static string? ExternalIdError(string externalId)
    {
        if (externalId.Length is < 2 or > 1224)
        {
            return $"An external ID is 2 to 1224 characters long; this one has {externalId.Length}.";
        }

        var bad = externalId.FirstOrDefault(c => !IsExternalIdChar(c));
        return bad == default
            ? null
            : $"An external ID may contain only letters, digits and + = , . @ : / _ - (not '{(char.IsWhiteSpace(bad) ? "a space" : bad.ToString())}').";
    }

    public static string? AccessKeyIdError(string accessKeyId)
    {
        if (accessKeyId.StartsWith("ASIA", StringComparison.Ordinal))
        {
            return "ASIA... keys are temporary STS credentials: they need a session token and expire within hours. Store a "
                + "long-term access key of an IAM user (AKIA...), or use the console host's credential chain.";
        }

        return AccessKeyIdRegex().IsMatch(accessKeyId)
            ? null
            : "An IAM user's access key ID starts with AKIA followed by upper-case letters and digits (20 characters for IAM users), "
                + "e.g. AKIAIOSFODNN7EXAMPLE. Do not paste the secret access key here.";
    }

    public static string? EndpointError(string endpoint, string service)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
        {
            return $"Enter an absolute https:// URL of the {service} endpoint, e.g. https://{service.ToLowerInvariant()}-fips.us-east-1.amazonaws.com.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment)
            || uri.AbsolutePath != "/")
        {
            return "An endpoint is scheme, host and optional port only (no path, query, fragment or user name).";
        }

        // Every request carries signed credentials and key material: plain http only where it never leaves the host.
        return uri.Scheme == "http" && !IsLoopback(uri)
            ? "Use https: plain http is accepted only for loopback addresses (a local emulator such as the sandbox)."
            : null;
    }

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip));

    private static bool IsExternalIdChar(char c) => char.IsAsciiLetterOrDigit(c) || "+=,.@:/_-".Contains(c, StringComparison.Ordinal);

    [GeneratedRegex(@"^AKIA[A-Z0-9]{12,124}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccessKeyIdRegex();
}
