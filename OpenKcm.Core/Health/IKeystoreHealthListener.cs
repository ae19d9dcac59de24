namespace OpenKcm.Core.Health;

/// <summary>
/// Told about every health update the monitor publishes (register any number in DI; the failover coordinator and the
/// alert centre are listeners). Called synchronously by <see cref="KeystoreHealthMonitor"/> under its lock, in order
/// per keystore: an implementation must return quickly, do no I/O, never block and never call back into the monitor
/// (queue the work instead). An exception is logged and does not reach the monitor or other listeners.
/// </summary>
public interface IKeystoreHealthListener
{
    /// <summary>
    /// <paramref name="current"/> was just published; <paramref name="previous"/> is what was published before for
    /// that keystore (null the first time). <paramref name="observation"/> is the result that caused it, or null for
    /// a republish (catalog refresh, threshold or failover change).
    /// </summary>
    void OnHealthChanged(KeystoreHealth? previous, KeystoreHealth current, HealthObservation? observation);

    /// <summary>The keystore left monitoring (no longer active).</summary>
    void OnRemoved(Guid keystoreId);
}
