namespace OpenKcm.Sandbox.AwsKms.Core;

/// <summary>
/// An IAM role: a trust (one principal ARN, optionally requiring an external ID) and the actions its permission
/// policy allows. Guarded by <see cref="AwsAccount"/>'s lock.
/// </summary>
internal sealed class IamRole(string name, string arn, string roleId, string trustedPrincipalArn, string? requiredExternalId,
    IEnumerable<string> allowedActions)
{
    public string Name { get; } = name;

    public string Arn { get; } = arn;

    /// <summary><c>AROA…</c>; an assumed role's UserId is <c>AROA…:session</c>.</summary>
    public string RoleId { get; } = roleId;

    public string TrustedPrincipalArn { get; } = trustedPrincipalArn;

    public string? RequiredExternalId { get; } = requiredExternalId;

    public ActionSet Actions { get; set; } = new(allowedActions);

    /// <summary>The longest session AssumeRole grants (AWS's default for a role: 1 hour).</summary>
    public TimeSpan MaxSessionDuration { get; set; } = TimeSpan.FromHours(1);
}
