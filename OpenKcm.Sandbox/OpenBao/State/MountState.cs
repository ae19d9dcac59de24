namespace OpenKcm.Sandbox.OpenBao.State;

/// <summary>A persisted mount: where, which backend, and that backend's state (the field of its type).</summary>
internal sealed record MountState
{
    /// <summary>Ends with a slash; auth methods start with <c>auth/</c>.</summary>
    public required string Path { get; init; }

    /// <summary><c>transit</c> or <c>approle</c>.</summary>
    public required string Type { get; init; }

    public string Description { get; init; } = "";

    public required string Accessor { get; init; }

    public required string Uuid { get; init; }

    /// <summary>The keys of a <c>transit</c> mount.</summary>
    public IReadOnlyList<TransitKeyState>? TransitKeys { get; init; }

    /// <summary>The roles and secret IDs of an <c>approle</c> mount.</summary>
    public AppRoleState? AppRole { get; init; }
}
