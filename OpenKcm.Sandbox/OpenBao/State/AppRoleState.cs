using OpenKcm.Sandbox.OpenBao.Backends;

namespace OpenKcm.Sandbox.OpenBao.State;

/// <summary>The persisted state of an AppRole mount: its roles and, per role name, the secret IDs issued.</summary>
internal sealed record AppRoleState
{
    public required IReadOnlyList<AppRole> Roles { get; init; }

    public required IReadOnlyDictionary<string, IReadOnlyList<AppRoleSecretId>> SecretIds { get; init; }
}
