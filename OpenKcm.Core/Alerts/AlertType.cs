namespace OpenKcm.Core.Alerts;

/// <summary>What an <see cref="Alert"/> is about. Stored by name: add members, never renumber or rename.</summary>
public enum AlertType
{
    /// <summary>A keystore's status became Warning.</summary>
    StatusWarning,

    /// <summary>A keystore's status became Critical.</summary>
    StatusCritical,

    /// <summary>A keystore became Healthy again after Warning or Critical.</summary>
    Recovered,

    /// <summary>Key operations of a primary keystore switched to its backup.</summary>
    Failover,

    /// <summary>Key operations switched back from the backup to the primary.</summary>
    Failback,

    /// <summary>A certificate or credential expires within a configured threshold.</summary>
    ExpirySoon,

    /// <summary>A certificate or credential has expired.</summary>
    Expired,
}
