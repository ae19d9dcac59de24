namespace OpenKcm.Providers.ThalesLuna;

/// <summary>Timeouts and sizes of the Thales Luna plugin. Defaults suit a Luna HA group in the same data centre.</summary>
public sealed class ThalesLunaOptions
{
    /// <summary>TCP connect timeout per appliance in the network check and the activation description.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Upper bound of one Test Connection run.</summary>
    public TimeSpan TestConnectionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The p95 latency budget of a wrap+unwrap round trip (REQ: 50 ms); above it the latency check warns.</summary>
    public TimeSpan LatencyBudget { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Round trips measured by the latency check.</summary>
    public int LatencyRoundTrips { get; init; } = 20;

    /// <summary>Most PKCS#11 sessions one connection keeps open (AWS's XKS proxy uses 30 with Luna).</summary>
    public int MaxSessions { get; init; } = 16;
}
