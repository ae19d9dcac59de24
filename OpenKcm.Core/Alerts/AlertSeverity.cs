namespace OpenKcm.Core.Alerts;

/// <summary>How urgent an <see cref="Alert"/> is. Stored by name.</summary>
public enum AlertSeverity
{
    Info,
    Warning,
    Critical,
}
