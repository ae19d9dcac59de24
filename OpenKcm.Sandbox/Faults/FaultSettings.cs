namespace OpenKcm.Sandbox.Faults;

/// <summary>
/// A partial change of an emulator's faults: only the properties that are set change. This is also the body of
/// <c>PUT /control/{name}</c> (snake_case: <c>latency_ms</c>, <c>error_rate</c>, <c>sealed</c>, <c>down</c>).
/// </summary>
public sealed record FaultSettings
{
    /// <summary>Added to every request before it is answered, 0 to <see cref="EmulatorFaults.MaxLatencyMs"/>.</summary>
    public int? LatencyMs { get; init; }

    /// <summary>Share of requests answered with an injected 500, 0 to 1.</summary>
    public double? ErrorRate { get; init; }

    /// <summary>The emulator answers as a sealed server would (OpenBao: health 503, every other request 503).</summary>
    public bool? Sealed { get; init; }

    /// <summary>The listener is closed: clients get "connection refused"; false rebinds the same port.</summary>
    public bool? Down { get; init; }
}
