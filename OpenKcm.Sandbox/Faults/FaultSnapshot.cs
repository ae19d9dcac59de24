namespace OpenKcm.Sandbox.Faults;

/// <summary>The faults of an emulator at one moment; the body of <c>GET /control/{name}</c>.</summary>
public sealed record FaultSnapshot(int LatencyMs, double ErrorRate, bool Sealed, bool Down);
