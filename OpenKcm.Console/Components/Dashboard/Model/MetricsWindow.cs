namespace OpenKcm.Console.Components.Dashboard.Model;

/// <summary>Which rolling window a tile's metrics show (see <see cref="Core.Health.HealthWindows"/>).</summary>
public enum MetricsWindow
{
    OneMinute,
    OneHour,
    OneDay,
}
