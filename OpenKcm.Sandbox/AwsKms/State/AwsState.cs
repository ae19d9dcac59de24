namespace OpenKcm.Sandbox.AwsKms.State;

/// <summary>
/// The AWS emulator's state file (snake_case JSON, format 1): IAM users with their key pairs, roles with their trust,
/// keys with their material, aliases, and the port last used. STS sessions are not kept (clients assume the role again).
/// </summary>
internal sealed record AwsState(
    int Format, int Port, string AccountId, string Region, string SeedKeyId,
    IReadOnlyList<IamUserState> Users, IReadOnlyList<IamRoleState> Roles, IReadOnlyList<KmsKeyState> Keys, IReadOnlyList<KmsAliasState> Aliases)
{
    public const int CurrentFormat = 1;
}

internal sealed record IamUserState(string Name, string UserId, string AccessKeyId, string SecretAccessKey, IReadOnlyList<string> Actions);

internal sealed record IamRoleState(
    string Name, string RoleId, string TrustedPrincipalArn, string? RequiredExternalId, IReadOnlyList<string> Actions, int MaxSessionSeconds);

/// <summary>Timestamps in Unix milliseconds; <c>Material</c> (AES, base64) or <c>RsaPkcs8</c> (base64), never both.</summary>
internal sealed record KmsKeyState(
    string KeyId, string KeyUsage, string KeySpec, string KeyState, string Origin, string Description, long CreationDate,
    long? DeletionDate, int? PendingWindowInDays, string? Material, string? RsaPkcs8);

internal sealed record KmsAliasState(string AliasName, string TargetKeyId, long CreationDate);
