using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.AwsKms;

/// <summary>
/// Generates the AWS-side setup from the entered values: the role's least-privilege identity policy for exactly this
/// key, the role's trust policy requiring the external ID, the key-policy statement, the console principal's
/// permission to assume the role, and the aws CLI commands that apply them. The same helpers produce the remedies of
/// failed checks, so a remedy never disagrees with the guidance.
/// </summary>
/// <remarks>
/// The actions are exactly what the plugin calls (<see cref="AwsOperations.KeyActions"/> and sts:AssumeRole);
/// sts:GetCallerIdentity needs no permission. <b>Aliases:</b> an IAM policy cannot name a key by its alias, and the
/// key behind an alias is unknown until the key is described. When <c>kms_key_id</c> is an alias the plugin sends the
/// alias as <c>KeyId</c> on every call, so the identity policy grants the actions on <c>key/*</c> of the account
/// <i>only</i> for requests made through that alias (condition <c>kms:RequestAlias</c>), and the key-policy statement
/// goes on the key the alias points to. Test Connection then warns and shows the key ARN, because re-pointing an alias
/// makes values wrapped under the old key unreadable through it; entering the key ARN gives a policy on that one key.
/// </remarks>
internal sealed class AwsKmsGuidance
{
    public const string IdentityPolicyFile = "openkcm-kms-policy.json";
    public const string TrustPolicyFile = "openkcm-trust-policy.json";
    public const string ConsolePolicyFile = "openkcm-console-policy.json";
    public const string ConsolePrincipalPlaceholder = "CONSOLE_PRINCIPAL_ARN";

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    private readonly string _region;
    private readonly string _roleArn;
    private readonly string _roleName;
    private readonly string _keyResource;
    private readonly string _keyValue;
    private readonly string? _alias;
    private readonly string _externalId;
    private readonly string? _endpoint;
    private readonly string _policyName;

    private AwsKmsGuidance(
        string region, string roleArn, string roleName, string keyResource, string keyValue, string? alias,
        string externalId, string? endpoint, string policyName)
    {
        _region = region;
        _roleArn = roleArn;
        _roleName = roleName;
        _keyResource = keyResource;
        _keyValue = keyValue;
        _alias = alias;
        _externalId = externalId;
        _endpoint = endpoint;
        _policyName = policyName;
    }

    /// <summary>The role ARN the policies name.</summary>
    public string RoleArn => _roleArn;

    /// <summary>The Resource of the identity policy: the key ARN, or <c>key/*</c> with an alias condition.</summary>
    public string KeyResource => _keyResource;

    /// <summary>Guidance from a complete, valid configuration.</summary>
    public static AwsKmsGuidance From(AwsKmsConfiguration configuration, AwsKmsOptions options) =>
        new(configuration.Region.Name, configuration.Role.Value, configuration.Role.Name,
            configuration.KeyResourceArn, configuration.Key.Value, configuration.Key.AliasName, configuration.ExternalId,
            configuration.Endpoint?.ToString().TrimEnd('/'), options.PolicyName);

    /// <summary>Guidance from what is entered so far: placeholders stand in for what is missing or invalid.</summary>
    public static AwsKmsGuidance From(KeystoreSettings settings, AwsKmsOptions options)
    {
        var invalid = AwsKmsSettingsValidator.Validate(settings, null).Select(e => e.Field).ToHashSet(StringComparer.Ordinal);
        string? Valid(string field) => invalid.Contains(field) ? null : settings.Get(field);

        var region = Valid(AwsKmsFieldNames.Region) is { } r ? AwsRegions.Find(r) : null;
        var partition = region?.Partition ?? "aws";
        var regionName = region?.Name ?? "REGION";
        var role = Valid(AwsKmsFieldNames.RoleArn) is { } roleValue ? AwsRoleArn.Parse(roleValue, out _) : null;
        var account = role?.Account ?? "ACCOUNT_ID";
        var key = Valid(AwsKmsFieldNames.KmsKeyId) is { } keyValue ? AwsKeyReference.Parse(keyValue, out _) : null;
        var keyResource = key?.Kind switch
        {
            AwsKeyReferenceKind.KeyArn => key.Value,
            AwsKeyReferenceKind.KeyId => $"arn:{partition}:kms:{regionName}:{account}:{key.Resource}",
            AwsKeyReferenceKind.AliasName or AwsKeyReferenceKind.AliasArn => $"arn:{partition}:kms:{regionName}:{key.Account ?? account}:key/*",
            _ => $"arn:{partition}:kms:{regionName}:{account}:key/KEY_ID",
        };
        return new AwsKmsGuidance(regionName, role?.Value ?? $"arn:{partition}:iam::{account}:role/OpenKCM-KMS-Access",
            role?.Name ?? "OpenKCM-KMS-Access", keyResource, key?.Value ?? keyResource, key?.AliasName,
            Valid(AwsKmsFieldNames.ExternalId) ?? "EXTERNAL_ID", Valid(AwsKmsFieldNames.Endpoint)?.TrimEnd('/'), options.PolicyName);
    }

    /// <summary>The role's identity policy: the key actions on exactly this key (or through exactly this alias).</summary>
    public string IdentityPolicy() => Document(IdentityStatement());

    /// <summary>The role's trust policy: <paramref name="principal"/> may assume it only with the external ID.</summary>
    public string TrustPolicy(string? principal = null) => Document(new JsonObject
    {
        ["Sid"] = "OpenKcmConsoleAssumeRole",
        ["Effect"] = "Allow",
        ["Principal"] = new JsonObject { ["AWS"] = principal ?? ConsolePrincipalPlaceholder },
        ["Action"] = AwsOperation.AssumeRole.Action(),
        ["Condition"] = new JsonObject { ["StringEquals"] = new JsonObject { ["sts:ExternalId"] = _externalId } },
    });

    /// <summary>The statement to add to the key's key policy: the role may use the key for the same actions.</summary>
    public string KeyPolicyStatement() => new JsonObject
    {
        ["Sid"] = "OpenKcmRoleUsesThisKey",
        ["Effect"] = "Allow",
        ["Principal"] = new JsonObject { ["AWS"] = _roleArn },
        ["Action"] = Actions(),
        ["Resource"] = "*",
    }.ToJsonString(s_indented);

    /// <summary>The console principal's own permission to assume the role.</summary>
    public string ConsolePolicy() => Document(new JsonObject
    {
        ["Sid"] = "OpenKcmAssumeKeystoreRole",
        ["Effect"] = "Allow",
        ["Action"] = AwsOperation.AssumeRole.Action(),
        ["Resource"] = _roleArn,
    });

    /// <summary>
    /// The one identity-policy line that grants <paramref name="action"/>, for a remedy that names the missing permission.
    /// </summary>
    public string PolicyLineFor(string action) => action == AwsOperation.AssumeRole.Action()
        ? $"\"Action\": \"sts:AssumeRole\" in the trust policy of {_roleArn} with \"Condition\": {{\"StringEquals\": {{\"sts:ExternalId\": \"{_externalId}\"}}}}"
        : $"\"Action\": [\"{action}\", ...] with \"Resource\": \"{_keyResource}\""
            + (_alias is null ? "" : $" and \"Condition\": {{\"StringEquals\": {{\"kms:RequestAlias\": \"{_alias}\"}}}}")
            + $" in the role's policy {_policyName}, and the same action in the key policy statement for {_roleArn}";

    /// <summary>The aws CLI commands that write the three documents and apply them.</summary>
    public string Commands()
    {
        var sb = new StringBuilder();
        sb.Append("# Run with administrator credentials of the account that owns the role and the key.\n");
        sb.Append("cat > ").Append(TrustPolicyFile).Append(" <<'JSON'\n").Append(TrustPolicy()).Append("\nJSON\n");
        sb.Append("# Replace ").Append(ConsolePrincipalPlaceholder).Append(" in ").Append(TrustPolicyFile)
            .Append(" with the console's ARN (Test Connection's first check shows it).\n");
        sb.Append("aws iam create-role --role-name ").Append(Quote(_roleName))
            .Append(" --assume-role-policy-document file://").Append(TrustPolicyFile).Append('\n');
        sb.Append("# If the role exists already: aws iam update-assume-role-policy --role-name ").Append(Quote(_roleName))
            .Append(" --policy-document file://").Append(TrustPolicyFile).Append('\n');
        sb.Append("cat > ").Append(IdentityPolicyFile).Append(" <<'JSON'\n").Append(IdentityPolicy()).Append("\nJSON\n");
        sb.Append("aws iam put-role-policy --role-name ").Append(Quote(_roleName)).Append(" --policy-name ").Append(Quote(_policyName))
            .Append(" --policy-document file://").Append(IdentityPolicyFile).Append('\n');
        sb.Append("# Key policy: add the statement of the next block to the key's policy, then put it back.\n");
        sb.Append("aws kms get-key-policy").Append(KmsTarget()).Append(" --policy-name default --query Policy --output text > key-policy.json\n");
        sb.Append("aws kms put-key-policy").Append(KmsTarget()).Append(" --policy-name default --policy file://key-policy.json\n");
        sb.Append("# The console's IAM user (or role) needs permission to assume the role:\n");
        sb.Append("cat > ").Append(ConsolePolicyFile).Append(" <<'JSON'\n").Append(ConsolePolicy()).Append("\nJSON\n");
        sb.Append("aws iam put-user-policy --user-name CONSOLE_USER --policy-name OpenKCM-AssumeKeystoreRole --policy-document file://")
            .Append(ConsolePolicyFile).Append('\n');
        return sb.ToString();
    }

    public PermissionGuidance Build() => new()
    {
        Summary = $"Let the console assume {_roleArn} only with the external ID, and let that role describe, encrypt, decrypt "
            + $"and generate data keys with {(_alias is null ? "the key " + _keyValue : "the key behind " + _alias)} in {_region}, and nothing else.",
        Blocks =
        [
            new GuidanceBlock($"Role policy {_policyName}", "json", IdentityPolicy(),
                "Least privilege for the role: exactly the four KMS actions OpenKCM calls (DescribeKey for the checks and "
                + "activation, Encrypt and Decrypt to wrap and unwrap L2 keys, GenerateDataKey to derive them), on "
                + (_alias is null
                    ? "this one key. No kms:CreateKey, ScheduleKeyDeletion, PutKeyPolicy or ReEncrypt."
                    : $"requests made through {_alias} only (kms:RequestAlias): an IAM policy cannot name a key by alias. "
                        + "Enter the key ARN instead to get a policy on that one key.")),
            new GuidanceBlock("Role trust policy", "json", TrustPolicy(),
                $"Only the console's principal may assume the role, and only with the external ID {_externalId} "
                + "(sts:ExternalId), which protects the role from being used on another customer's behalf. Replace "
                + $"{ConsolePrincipalPlaceholder} with the ARN of the console's IAM user or role: Test Connection's first "
                + "check shows it (or run aws sts get-caller-identity with the console's credentials)."),
            new GuidanceBlock("Key policy statement", "json", KeyPolicyStatement(),
                "KMS also checks the key's own policy: add this statement to the Statement list of the key policy "
                + (_alias is null ? "of the key" : $"of the key that {_alias} points to")
                + ", unless the key policy already delegates to IAM policies (the default \"Enable IAM User Permissions\" statement)."),
            new GuidanceBlock("Console principal's permission", "json", ConsolePolicy(),
                "The console's own IAM user (or role) must be allowed to call sts:AssumeRole on this role: always when it is in "
                + "another account, and in the same account when the trust policy names the account rather than the user. "
                + "sts:GetCallerIdentity, the first check, needs no permission."),
            new GuidanceBlock("aws CLI", "bash", Commands(),
                "Writes the documents above and applies them with the aws CLI."),
        ],
    };

    private JsonObject IdentityStatement()
    {
        var statement = new JsonObject
        {
            ["Sid"] = "OpenKcmUseL1Key",
            ["Effect"] = "Allow",
            ["Action"] = Actions(),
            ["Resource"] = _keyResource,
        };
        if (_alias is not null)
        {
            statement["Condition"] = new JsonObject { ["StringEquals"] = new JsonObject { ["kms:RequestAlias"] = _alias } };
        }

        return statement;
    }

    private static JsonArray Actions() => new([.. AwsOperations.KeyActions.Select(a => (JsonNode)JsonValue.Create(a)!)]);

    private static string Document(JsonObject statement) => new JsonObject
    {
        ["Version"] = "2012-10-17",
        ["Statement"] = new JsonArray(statement),
    }.ToJsonString(s_indented);

    private string KmsTarget() =>
        $" --region {Quote(_region)}{(_endpoint is null ? "" : " --endpoint-url " + Quote(_endpoint))} --key-id {Quote(_keyValue)}";

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
