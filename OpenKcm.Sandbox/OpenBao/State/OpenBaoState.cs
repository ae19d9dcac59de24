namespace OpenKcm.Sandbox.OpenBao.State;

/// <summary>
/// The persisted OpenBao emulator (<c>openbao-state.json</c>, snake_case JSON): the seeded identity, the port last
/// listened on, and every namespace with its policies and mounts. Tokens other than the root token are not kept.
/// Holds secrets (root token, secret IDs, key material): only ever written to a 0600 file, never logged.
/// </summary>
internal sealed record OpenBaoState
{
    /// <summary>The layout version; a file with another one is set aside, not guessed at.</summary>
    public const int CurrentFormat = 1;

    public required int Format { get; init; }

    public required string ClusterId { get; init; }

    public required string RootToken { get; init; }

    /// <summary>The seeded role's role ID, as in the manifest.</summary>
    public required string RoleId { get; init; }

    /// <summary>The seeded secret ID, as in the secret ID file.</summary>
    public required string SecretId { get; init; }

    /// <summary>The port last listened on; 0 when unknown.</summary>
    public int Port { get; init; }

    /// <summary>The root namespace first.</summary>
    public required IReadOnlyList<NamespaceState> Namespaces { get; init; }
}
