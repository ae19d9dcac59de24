using System.Text.RegularExpressions;

namespace OpenKcm.Providers.AwsKms;

/// <summary>A parsed IAM role ARN: <c>arn:&lt;partition&gt;:iam::&lt;12-digit account&gt;:role/&lt;path/&gt;&lt;name&gt;</c>.</summary>
internal sealed partial record AwsRoleArn(string Value, string Partition, string Account, string Path, string Name)
{
    /// <summary>Parses <paramref name="value"/>; on failure returns null and the reason in <paramref name="error"/>.</summary>
    public static AwsRoleArn? Parse(string value, out string? error)
    {
        error = null;
        var parts = value.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn")
        {
            error = "Enter the role's ARN: arn:aws:iam::<12-digit account>:role/<name>, e.g. arn:aws:iam::123456789012:role/OpenKCM-KMS-Access.";
            return null;
        }

        var (partition, service, region, account, resource) = (parts[1], parts[2], parts[3], parts[4], parts[5]);
        if (!AwsRegions.IsKnownPartition(partition))
        {
            error = $"'{partition}' is not an AWS partition (aws, aws-cn, aws-us-gov, ...).";
        }
        else if (service != "iam")
        {
            error = service == "sts"
                ? "This is an STS (assumed-role session) ARN; enter the role's IAM ARN: arn:" + partition + ":iam::<account>:role/<name>."
                : $"This is an ARN of the '{service}' service; a role ARN has the service 'iam': arn:{partition}:iam::<account>:role/<name>.";
        }
        else if (region.Length != 0)
        {
            error = "IAM is global: a role ARN has no region (two colons after iam: arn:aws:iam::123456789012:role/<name>).";
        }
        else if (!AccountRegex().IsMatch(account))
        {
            error = $"The account in a role ARN is 12 digits (e.g. 123456789012); '{account}' is not.";
        }
        else if (!resource.StartsWith("role/", StringComparison.Ordinal))
        {
            error = $"The ARN names '{resource.Split('/')[0]}', not a role: a role ARN ends in :role/<name> (or :role/<path>/<name>).";
        }
        else
        {
            var pathAndName = resource["role/".Length..];
            var slash = pathAndName.LastIndexOf('/');
            var path = slash < 0 ? "/" : "/" + pathAndName[..(slash + 1)];
            var name = pathAndName[(slash + 1)..];
            if (!NameRegex().IsMatch(name))
            {
                error = "A role name is 1 to 64 letters, digits and + = , . @ _ - characters.";
            }
            else if (path.Length > 512 || !PathRegex().IsMatch(path))
            {
                error = "A role path is made of letters, digits and + = , . @ _ - separated by '/'.";
            }
            else
            {
                return new AwsRoleArn(value, partition, account, path, name);
            }
        }

        return null;
    }

    [GeneratedRegex(@"^[0-9]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountRegex();

    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^/(?:[A-Za-z0-9_+=,.@-]+/)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PathRegex();
}
