namespace OpenKcm.Sandbox.OpenBao.State;

/// <summary>A persisted namespace: identity, policies and mounts other than the built-in <c>sys/</c> and <c>auth/token/</c>.</summary>
internal sealed record NamespaceState
{
    /// <summary>Empty for the root namespace, else like <c>team-a/</c>.</summary>
    public required string Path { get; init; }

    public required string Id { get; init; }

    public required string Uuid { get; init; }

    public IReadOnlyDictionary<string, string> CustomMetadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Including <c>default</c> (it can be rewritten); never <c>root</c>.</summary>
    public required IReadOnlyList<PolicyState> Policies { get; init; }

    public required IReadOnlyList<MountState> Mounts { get; init; }
}
