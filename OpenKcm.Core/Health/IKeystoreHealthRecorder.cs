using OpenKcm.Core.Keystores;

namespace OpenKcm.Core.Health;

/// <summary>
/// Takes probe and key-operation results into the keystores' rolling health. Implemented by
/// <see cref="KeystoreHealthMonitor"/> (singleton). Thread-safe and non-blocking: it is called on the hot path of
/// every key operation, so it does no I/O and never waits on subscribers of the feed.
/// </summary>
public interface IKeystoreHealthRecorder
{
    /// <summary>
    /// Records one result for <paramref name="keystore"/>. A keystore the monitor does not track yet (it was
    /// activated a moment ago) is added and the monitor re-reads the catalog, which removes it again if it is in
    /// fact no longer active.
    /// </summary>
    void Record(ActiveKeystore keystore, HealthObservation observation);
}
