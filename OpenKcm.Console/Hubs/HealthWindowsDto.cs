namespace OpenKcm.Console.Hubs;

/// <summary>The 1-minute, 1-hour and 24-hour windows.</summary>
public sealed record HealthWindowsDto
{
    public required HealthWindowDto LastMinute { get; init; }

    public required HealthWindowDto LastHour { get; init; }

    public required HealthWindowDto LastDay { get; init; }
}
