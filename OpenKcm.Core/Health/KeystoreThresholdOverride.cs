namespace OpenKcm.Core.Health;

/// <summary>
/// Persisted per-keystore threshold override (table <c>keystore_threshold_overrides</c>); no row: the plugin's
/// defaults. Durations in whole milliseconds. Written only by <see cref="KeystoreThresholdService"/>.
/// </summary>
internal sealed class KeystoreThresholdOverride
{
    public required Guid KeystoreId { get; init; }

    public long WarningLatencyMs { get; set; }

    public long? CriticalLatencyMs { get; set; }

    public int CriticalAfterConsecutiveFailures { get; set; }

    public long ProbeTimeoutMs { get; set; }

    public long? ProbeIntervalMs { get; set; }

    public long? DegradedProbeIntervalMs { get; set; }

    public int FailbackAfterHealthyProbes { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedById { get; set; } = "";
}
