using System.Collections.Immutable;

namespace OpenKcm.Core.Health;

/// <summary>
/// What <see cref="HealthFeed.Subscribe"/> returns: the state at the moment of subscribing and every change after
/// it, with nothing lost in between.
/// </summary>
public sealed record HealthFeedSubscription
{
    /// <summary>All keystores currently monitored, ordered by tenant name then keystore name.</summary>
    public required ImmutableArray<KeystoreHealth> Snapshot { get; init; }

    /// <summary>
    /// Batches of changes after <see cref="Snapshot"/>. Enumerate at most once. The enumeration ends (and the
    /// subscription is released) when the token given to <see cref="HealthFeed.Subscribe"/> or the enumerator's own
    /// token is cancelled, or when the consumer stops enumerating (breaks or disposes the enumerator).
    /// </summary>
    public required IAsyncEnumerable<IReadOnlyList<KeystoreHealthChange>> Changes { get; init; }
}
