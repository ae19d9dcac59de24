using System.Globalization;
using System.Xml.Linq;
using OpenKcm.Sandbox.AwsKms.Core;

namespace OpenKcm.Sandbox.AwsKms.Sts;

/// <summary>
/// STS over the query protocol (<c>Action=…&amp;Version=2011-06-15</c>): AssumeRole against the roles' trust
/// (principal and external ID) and GetCallerIdentity. Answers are XML in STS's namespace. Thread-safe.
/// </summary>
internal sealed class StsOperations(AwsAccount account)
{
    public static readonly XNamespace Ns = "https://sts.amazonaws.com/doc/2011-06-15/";
    private const string ApiVersion = "2011-06-15";

    public XElement Handle(IReadOnlyDictionary<string, string> parameters, AwsPrincipal principal, string requestId)
    {
        var action = parameters.GetValueOrDefault("Action");
        if (action is null)
        {
            throw new AwsException(400, "MissingAction", "Missing Action");
        }

        if (parameters.GetValueOrDefault("Version") != ApiVersion)
        {
            throw new AwsException(400, "InvalidAction", $"Could not find operation {action} for version {parameters.GetValueOrDefault("Version") ?? "NO_VERSION_SPECIFIED"}");
        }

        var result = action switch
        {
            "AssumeRole" => AssumeRole(parameters, principal),
            "GetCallerIdentity" => GetCallerIdentity(principal),
            _ => throw new AwsException(400, "InvalidAction", $"Could not find operation {action} for version {ApiVersion}"),
        };
        return new XElement(Ns + action + "Response",
            result,
            new XElement(Ns + "ResponseMetadata", new XElement(Ns + "RequestId", requestId)));
    }

    private XElement GetCallerIdentity(AwsPrincipal principal) => new(Ns + "GetCallerIdentityResult",
        new XElement(Ns + "Arn", principal.Arn),
        new XElement(Ns + "UserId", principal.UserId),
        new XElement(Ns + "Account", account.AccountId));

    private XElement AssumeRole(IReadOnlyDictionary<string, string> parameters, AwsPrincipal principal)
    {
        var roleArn = parameters.GetValueOrDefault("RoleArn");
        var sessionName = parameters.GetValueOrDefault("RoleSessionName");
        var externalId = parameters.GetValueOrDefault("ExternalId");
        var durationText = parameters.GetValueOrDefault("DurationSeconds");
        var errors = new List<string>();
        if (roleArn is null)
        {
            errors.Add("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
        }
        else if (roleArn.Length is < 20 or > 2048)
        {
            errors.Add($"Value '{roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length {(roleArn.Length < 20 ? "greater than or equal to 20" : "less than or equal to 2048")}");
        }

        if (sessionName is null)
        {
            errors.Add("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
        }
        else if (!StsValidation.IsSessionName(sessionName))
        {
            errors.Add(sessionName.Length is < 2 or > 64
                ? $"Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must have length {(sessionName.Length < 2 ? "greater than or equal to 2" : "less than or equal to 64")}"
                : $"Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        }

        if (externalId is not null && !StsValidation.IsExternalId(externalId))
        {
            // Echoed like AWS does (observed: "Value '%20' at 'externalId' failed to satisfy constraint: …"): an external ID
            // is not a secret (AWS's documentation: it guards against the confused deputy, not as a password), and the
            // console shows it in its remedies too.
            errors.Add(externalId.Length is < 2 or > 1224
                ? $"Value '{externalId}' at 'externalId' failed to satisfy constraint: Member must have length {(externalId.Length < 2 ? "greater than or equal to 2" : "less than or equal to 1224")}"
                : $"Value '{externalId}' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*");
        }

        var duration = 3600;
        if (durationText is not null)
        {
            if (!int.TryParse(durationText, NumberStyles.None, CultureInfo.InvariantCulture, out duration))
            {
                throw new AwsException(400, "MalformedInput", $"Invalid value for parameter DurationSeconds: {durationText}");
            }

            if (duration is < 900 or > 43200)
            {
                errors.Add($"Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value {(duration < 900 ? "greater than or equal to 900" : "less than or equal to 43200")}");
            }
        }

        if (errors.Count > 0)
        {
            throw AwsException.StsValidation($"{errors.Count} validation error{(errors.Count > 1 ? "s" : "")} detected: {string.Join("; ", errors)}");
        }

        if (!roleArn!.StartsWith("arn:aws:iam::", StringComparison.Ordinal) || !roleArn.Contains(":role/", StringComparison.Ordinal))
        {
            throw AwsException.StsValidation($"{roleArn} is invalid");
        }

        var role = account.FindRole(roleArn);
        var trusted = role is not null && account.Locked(() =>
            (principal.Arn == role.TrustedPrincipalArn
                || (role.TrustedPrincipalArn == $"arn:aws:iam::{account.AccountId}:root" && principal.Allows("sts:AssumeRole")))
            && (role.RequiredExternalId is null || role.RequiredExternalId == externalId));
        if (!trusted)
        {
            throw new AwsException(403, "AccessDenied",
                $"User: {principal.Arn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
        }

        if (principal.Session is not null && duration > 3600)
        {
            throw AwsException.StsValidation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        }

        if (TimeSpan.FromSeconds(duration) > account.Locked(() => role!.MaxSessionDuration))
        {
            throw AwsException.StsValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }

        var session = account.AddSession(role!, sessionName!, TimeSpan.FromSeconds(duration));
        return new XElement(Ns + "AssumeRoleResult",
            new XElement(Ns + "AssumedRoleUser",
                new XElement(Ns + "AssumedRoleId", session.UserId),
                new XElement(Ns + "Arn", session.Arn(account.AccountId))),
            new XElement(Ns + "Credentials",
                new XElement(Ns + "AccessKeyId", session.Key.AccessKeyId),
                new XElement(Ns + "SecretAccessKey", session.Key.SecretAccessKey),
                new XElement(Ns + "SessionToken", session.SessionToken),
                new XElement(Ns + "Expiration", session.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))));
    }
}
