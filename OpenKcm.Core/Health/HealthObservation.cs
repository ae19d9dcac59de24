namespace OpenKcm.Core.Health;

/// <summary>One result (probe or key-operation attempt) fed into a keystore's health. Immutable.</summary>
public sealed record HealthObservation
{
    public required HealthObservationSource Source { get; init; }

    /// <summary>When the probe or operation finished.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>How long it took (for a timed-out probe: until it was given up).</summary>
    public required TimeSpan Latency { get; init; }

    /// <summary>Null when it succeeded.</summary>
    public KeystoreHealthError? Error { get; init; }

    public bool Succeeded => Error is null;

    public static HealthObservation Success(HealthObservationSource source, DateTimeOffset at, TimeSpan latency) =>
        new() { Source = source, At = at, Latency = latency };

    public static HealthObservation Failure(
        HealthObservationSource source, DateTimeOffset at, TimeSpan latency, KeystoreHealthError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new() { Source = source, At = at, Latency = latency, Error = error };
    }
}
