using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Tokens;

/// <summary>
/// A token and its lease. Times come from the emulator's <see cref="TimeProvider"/>. Mutable (renewal, use counts)
/// only under the core's lock.
/// </summary>
internal sealed class TokenEntry
{
    public required string Id { get; init; }

    public required string Accessor { get; init; }

    public required VaultNamespace Namespace { get; init; }

    /// <summary>Sorted and de-duplicated; includes <c>default</c> unless the token was created without it.</summary>
    public required IReadOnlyList<string> Policies { get; init; }

    public required string Path { get; init; }

    public required string DisplayName { get; init; }

    public required DateTimeOffset IssueTime { get; init; }

    /// <summary>The TTL the token was created with; zero for tokens that never expire (root).</summary>
    public TimeSpan CreationTtl { get; init; }

    /// <summary>The renewal TTL when none is asked for (the role's <c>token_ttl</c>).</summary>
    public TimeSpan RenewalTtl { get; init; }

    /// <summary>No renewal goes past <see cref="IssueTime"/> + this; zero means no cap.</summary>
    public TimeSpan MaxTtl { get; init; }

    public TimeSpan ExplicitMaxTtl { get; init; }

    public TimeSpan Period { get; init; }

    public bool Renewable { get; init; }

    public bool Orphan { get; init; } = true;

    public string Type { get; init; } = "service";

    public string EntityId { get; init; } = "";

    public IReadOnlyDictionary<string, string>? Meta { get; init; }

    /// <summary>Remaining uses; zero means unlimited.</summary>
    public long NumUses { get; set; }

    public DateTimeOffset? ExpireTime { get; set; }

    public DateTimeOffset? LastRenewal { get; set; }

    public bool IsRoot => Policies.Contains("root");

    public TimeSpan Remaining(DateTimeOffset now) =>
        ExpireTime is { } expiry ? TimeSpan.FromSeconds(Math.Max(0, Math.Floor((expiry - now).TotalSeconds))) : TimeSpan.Zero;
}
