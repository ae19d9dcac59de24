namespace OpenKcm.Console.Hubs;

/// <summary>Settings of <c>/hubs/health</c> (configuration section <c>OpenKcm:HealthHub</c>).</summary>
public sealed class HealthHubOptions
{
    public const string Section = "OpenKcm:HealthHub";

    /// <summary>Time between two heartbeats on a stream; also how often a display token is re-checked. Default 5 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Messages buffered per stream for a consumer that reads slowly. When full, changes wait in the feed (which keeps
    /// only the latest state per keystore) and heartbeats are dropped, so a slow consumer costs bounded memory and never
    /// stalls the others. Default 16.
    /// </summary>
    public int StreamBufferCapacity { get; set; } = 16;
}
