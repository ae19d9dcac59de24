namespace OpenKcm.Core.Health;

/// <summary>Where a health observation came from.</summary>
public enum HealthObservationSource
{
    /// <summary>A deep probe run by <see cref="KeystoreHealthMonitor"/>.</summary>
    Probe,

    /// <summary>One attempt of a key operation routed by <see cref="Operations.KeyOperationRouter"/>.</summary>
    Operation,
}
