namespace OpenKcm.Sandbox.AwsKms.Core;

/// <summary>
/// Who signed a request: an IAM user (long-term key) or an assumed-role session. Permission checks read the user's
/// or role's current actions, so a change applies to the next request, as IAM policy changes do.
/// </summary>
internal sealed record AwsPrincipal(string Arn, string UserId, IamUser? User, StsSession? Session)
{
    public bool Allows(string action) => (User?.Actions ?? Session!.Role.Actions).Allows(action);
}
