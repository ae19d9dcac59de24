namespace OpenKcm.Sandbox.AwsKms.Core;

/// <summary>An IAM user with one access key and the actions its identity policy allows. Guarded by <see cref="AwsAccount"/>'s lock.</summary>
internal sealed class IamUser(string name, string arn, string userId, AwsAccessKey key, IEnumerable<string> allowedActions)
{
    public string Name { get; } = name;

    public string Arn { get; } = arn;

    /// <summary><c>AIDA…</c>, what GetCallerIdentity answers as UserId.</summary>
    public string UserId { get; } = userId;

    public AwsAccessKey Key { get; } = key;

    public ActionSet Actions { get; set; } = new(allowedActions);
}
