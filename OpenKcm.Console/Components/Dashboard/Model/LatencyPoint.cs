namespace OpenKcm.Console.Components.Dashboard.Model;

/// <summary>One point of the latency chart: a UTC time and a latency in milliseconds.</summary>
public sealed record LatencyPoint(DateTime Time, double Milliseconds);
