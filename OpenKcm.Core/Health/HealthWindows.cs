namespace OpenKcm.Core.Health;

/// <summary>The three rolling windows the dashboard and the NOC page show. Immutable; value equality.</summary>
public sealed record HealthWindows
{
    public static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan OneHour = TimeSpan.FromHours(1);
    public static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    public static readonly HealthWindows Empty = new()
    {
        LastMinute = HealthWindowStats.Empty(OneMinute),
        LastHour = HealthWindowStats.Empty(OneHour),
        LastDay = HealthWindowStats.Empty(OneDay),
    };

    public required HealthWindowStats LastMinute { get; init; }

    public required HealthWindowStats LastHour { get; init; }

    public required HealthWindowStats LastDay { get; init; }
}
