namespace OpenKcm.Core.Operations;

/// <summary>
/// The failover routing of primary keystores, implemented by the failover coordinator. Thread-safe.
/// </summary>
public interface IKeystoreFailoverState
{
    /// <summary>The routing of <paramref name="primaryKeystoreId"/>; null when it names no backup.</summary>
    KeystoreFailoverState? Get(Guid primaryKeystoreId);

    /// <summary>
    /// Raised after each failover or failback, after the switch took effect for new operations; on the thread that
    /// switched. Handlers must not block (queue work).
    /// </summary>
    event Action<KeystoreFailoverEvent>? Switched;

    /// <summary>
    /// Raised whenever <see cref="Get"/> of a primary changes (a switch, or the backup becoming available or not),
    /// with the primary's id; the health monitor republishes that keystore. Handlers must not block.
    /// </summary>
    event Action<Guid>? Changed;
}
