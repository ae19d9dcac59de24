using System.Text;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.AwsKms;

/// <summary>Validated, normalized AWS KMS settings of one keystore version. Immutable; holds no secret.</summary>
internal sealed class AwsKmsConfiguration
{
    /// <summary>The role session name used when the settings carry no keystore context (not yet saved).</summary>
    public const string DefaultSessionName = "openkcm-console";

    public required AwsRegion Region { get; init; }

    public required AwsKeyReference Key { get; init; }

    public required AwsRoleArn Role { get; init; }

    public required string ExternalId { get; init; }

    /// <summary><see cref="AwsKmsFieldNames.AccessKeys"/> or <see cref="AwsKmsFieldNames.DefaultChain"/>.</summary>
    public required string CredentialSource { get; init; }

    /// <summary>The console's access key ID (not a secret) with <see cref="AwsKmsFieldNames.AccessKeys"/>.</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>KMS endpoint override, or null for the SDK's regional endpoint.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>
    /// STS endpoint: the override, else the KMS endpoint when that is a loopback address (a local emulator such as the
    /// sandbox serves both), else null for the SDK's regional STS endpoint.
    /// </summary>
    public Uri? StsEndpoint { get; init; }

    /// <summary>The role session name: identifies the console, tenant and keystore in CloudTrail.</summary>
    public required string SessionName { get; init; }

    /// <summary>The ARN the policies name as the key's resource (a key ARN, or <c>key/*</c> with an alias condition).</summary>
    public string KeyResourceArn => Key.Kind switch
    {
        AwsKeyReferenceKind.KeyArn => Key.Value,
        AwsKeyReferenceKind.KeyId => $"arn:{Region.Partition}:kms:{Region.Name}:{Role.Account}:{Key.Resource}",
        _ => $"arn:{Region.Partition}:kms:{Region.Name}:{Key.Account ?? Role.Account}:key/*",
    };

    /// <summary>
    /// Parses <paramref name="settings"/>; throws <see cref="KeystoreException"/> (InvalidConfiguration) listing every
    /// invalid field. The secret access key is checked later, when it is resolved.
    /// </summary>
    public static AwsKmsConfiguration Parse(KeystoreSettings settings)
    {
        var errors = AwsKmsSettingsValidator.Validate(settings, secretKeyStored: null);
        if (errors.Count > 0)
        {
            throw new KeystoreException(KeystoreErrorKind.InvalidConfiguration,
                "The configuration is not valid: " + string.Join(" ", errors.Select(e => $"{e.Field}: {e.Message}")));
        }

        var endpoint = settings.Get(AwsKmsFieldNames.Endpoint) is { } e ? new Uri(e, UriKind.Absolute) : null;
        var stsEndpoint = settings.Get(AwsKmsFieldNames.StsEndpoint) is { } s
            ? new Uri(s, UriKind.Absolute)
            : endpoint is not null && AwsKmsSettingsValidator.IsLoopback(endpoint) ? endpoint : null;
        var source = settings.Get(AwsKmsFieldNames.CredentialSource) ?? AwsKmsFieldNames.AccessKeys;
        return new AwsKmsConfiguration
        {
            Region = AwsRegions.Find(settings.Get(AwsKmsFieldNames.Region)!)!,
            Key = AwsKeyReference.Parse(settings.Get(AwsKmsFieldNames.KmsKeyId)!, out _)!,
            Role = AwsRoleArn.Parse(settings.Get(AwsKmsFieldNames.RoleArn)!, out _)!,
            ExternalId = settings.Get(AwsKmsFieldNames.ExternalId)!,
            CredentialSource = source,
            AccessKeyId = source == AwsKmsFieldNames.AccessKeys ? settings.Get(AwsKmsFieldNames.AccessKeyId) : null,
            Endpoint = endpoint,
            StsEndpoint = stsEndpoint,
            SessionName = SessionNameFor(settings.Context),
        };
    }

    /// <summary>
    /// <c>openkcm-&lt;tenant&gt;-&lt;keystore&gt;</c>, reduced to STS's RoleSessionName alphabet <c>[\w+=,.@-]</c> and
    /// 2 to 64 characters, so CloudTrail shows which tenant's keystore made each call.
    /// </summary>
    public static string SessionNameFor(KeystoreContext? context)
    {
        if (context is null)
        {
            return DefaultSessionName;
        }

        var sb = new StringBuilder();
        foreach (var c in $"openkcm-{context.TenantName}-{context.KeystoreName}")
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || "_+=,.@-".Contains(c, StringComparison.Ordinal) ? c : '-');
        }

        var name = sb.Length > 64 ? sb.ToString(0, 64) : sb.ToString();
        return name.Length >= 2 ? name : DefaultSessionName;
    }
}
