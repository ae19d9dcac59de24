namespace OpenKcm.Sandbox.AwsKms.Core;

/// <summary>Temporary credentials issued by AssumeRole: an ASIA key, its secret, its token and when they expire.</summary>
internal sealed record StsSession(IamRole Role, string SessionName, AwsAccessKey Key, string SessionToken, DateTimeOffset Expiration)
{
    public string Arn(string accountId) => $"arn:aws:sts::{accountId}:assumed-role/{Role.Name}/{SessionName}";

    public string UserId => $"{Role.RoleId}:{SessionName}";
}
