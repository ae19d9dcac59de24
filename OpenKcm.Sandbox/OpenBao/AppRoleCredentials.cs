namespace OpenKcm.Sandbox.OpenBao;

/// <summary>A role ID and one secret ID of an AppRole role.</summary>
public sealed record AppRoleCredentials(string RoleId, string SecretId);
