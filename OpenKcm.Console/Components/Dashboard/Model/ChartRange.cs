namespace OpenKcm.Console.Components.Dashboard.Model;

/// <summary>The time range the dashboard's latency chart covers, ending now.</summary>
public enum ChartRange
{
    FifteenMinutes,
    OneHour,
    OneDay,
    SevenDays,
}
