namespace OpenKcm.Core.Operations;

/// <summary>
/// When key-operation failures move a primary's routing to its backup (configure with
/// <c>services.Configure&lt;FailoverOptions&gt;(...)</c>; validated on start by
/// <see cref="Health.HealthServiceCollectionExtensions.AddKeystoreHealth"/>; read once by the
/// <see cref="FailoverCoordinator"/>). A failing operation always continues on an available backup at once; these
/// settings only decide when later operations follow.
/// </summary>
public sealed class FailoverOptions
{
    /// <summary>
    /// Retryable, non-throttling operation failures of the primary in a row (no success in between), each within
    /// <see cref="OperationFailureWindow"/> of the previous one, that switch the route to the backup. Default 2.
    /// </summary>
    public int FailoverAfterOperationFailures { get; set; } = 2;

    /// <summary>Longest gap between two failures that still counts as "in a row". Default 30 s.</summary>
    public TimeSpan OperationFailureWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After a failover forced by operation failures, the route stays on the backup at least this long before the
    /// healthy-probe rule may fail it back (a Critical or unusable backup fails back at once). Default 30 s.
    /// </summary>
    public TimeSpan MinimumDwell { get; set; } = TimeSpan.FromSeconds(30);
}
