namespace OpenKcm.Core.Health;

/// <summary>
/// One change to the health snapshot. Apply in order on top of <see cref="HealthFeedSubscription.Snapshot"/>:
/// <see cref="KeystoreHealthChangeKind.Upserted"/> replaces (or adds) the entry with <see cref="KeystoreId"/>;
/// <see cref="KeystoreHealthChangeKind.Removed"/> deletes it. Because the feed coalesces per keystore, a
/// <see cref="KeystoreHealthChangeKind.Removed"/> may name a keystore the subscriber never saw: ignore it.
/// </summary>
public sealed record KeystoreHealthChange
{
    public required KeystoreHealthChangeKind Kind { get; init; }

    public required Guid KeystoreId { get; init; }

    /// <summary>The new state for <see cref="KeystoreHealthChangeKind.Upserted"/>; null for <see cref="KeystoreHealthChangeKind.Removed"/>.</summary>
    public required KeystoreHealth? Health { get; init; }

    public static KeystoreHealthChange Upserted(KeystoreHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        return new() { Kind = KeystoreHealthChangeKind.Upserted, KeystoreId = health.KeystoreId, Health = health };
    }

    public static KeystoreHealthChange Removed(Guid keystoreId) =>
        new() { Kind = KeystoreHealthChangeKind.Removed, KeystoreId = keystoreId, Health = null };
}
