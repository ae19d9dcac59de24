using System.Globalization;
using OpenKcm.Core.Alerts;

namespace OpenKcm.Console.Components.Alerts.Model;

/// <summary>
/// The alert page's filter form: plain strings bound to selects (empty = any), turned into an <see cref="AlertQuery"/>.
/// Mutable (a form model); testable without a renderer.
/// </summary>
public sealed class AlertFilter
{
    public const string ShowAll = "all";
    public const string ShowOpen = "open";
    public const string ShowAcknowledged = "acknowledged";

    public static readonly IReadOnlyList<AlertSeverity> Severities = Enum.GetValues<AlertSeverity>();

    public static readonly IReadOnlyList<AlertType> Types = Enum.GetValues<AlertType>();

    /// <summary>An <see cref="AlertSeverity"/> name, or empty for any.</summary>
    public string Severity { get; set; } = "";

    /// <summary>An <see cref="AlertType"/> name, or empty for any.</summary>
    public string Type { get; set; } = "";

    /// <summary><see cref="ShowAll"/>, <see cref="ShowOpen"/> or <see cref="ShowAcknowledged"/>.</summary>
    public string Show { get; set; } = ShowAll;

    public AlertQuery ToQuery(int take = 200) => new()
    {
        Severity = Enum.TryParse<AlertSeverity>(Severity, out var s) ? s : null,
        Type = Enum.TryParse<AlertType>(Type, out var t) ? t : null,
        Acknowledged = Show switch
        {
            ShowOpen => false,
            ShowAcknowledged => true,
            _ => null,
        },
        Take = take,
    };

    /// <summary>"StatusCritical" → "Status critical", for people.</summary>
    public static string Describe(AlertType type) => type switch
    {
        AlertType.StatusWarning => "Status: Warning",
        AlertType.StatusCritical => "Status: Critical",
        AlertType.Recovered => "Recovered",
        AlertType.Failover => "Failover",
        AlertType.Failback => "Failback",
        AlertType.ExpirySoon => "Expires soon",
        AlertType.Expired => "Expired",
        _ => type.ToString(),
    };

    /// <summary>One line per delivery: state, attempts, last answer or error, next attempt.</summary>
    public static string Describe(AlertDeliveryStatus d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var attempts = d.Attempts == 1 ? "1 attempt" : $"{d.Attempts} attempts";
        return d.State switch
        {
            WebhookDeliveryState.Delivered =>
                $"Delivered{(d.DeliveredAt is { } at ? " " + Time(at) : "")} ({attempts})",
            WebhookDeliveryState.Failed => $"Failed after {attempts}: {d.LastError}",
            WebhookDeliveryState.Delivering => $"Delivering (attempt {d.Attempts})",
            _ => d.Attempts == 0
                ? "Pending"
                : $"Pending retry{(d.NextAttemptAt is { } next ? " at " + Time(next) : "")} ({attempts}; last: {d.LastError})",
        };
    }

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";
}
