namespace OpenKcm.Core.Alerts;

/// <summary>
/// Settings of the alert centre, expiry scan and webhook delivery (configuration section <c>OpenKcm:Alerts</c>).
/// Validated on start by <see cref="AlertServiceCollectionExtensions.AddAlerts"/>; read once, changes need a restart.
/// </summary>
public sealed class AlertOptions
{
    /// <summary>
    /// A status or recovery alert for a keystore is folded into the previous unacknowledged alert of the same type for
    /// that keystore when that one last occurred within this window (its occurrence count goes up; no new webhook
    /// event). Default 10 min; zero turns coalescing off.
    /// </summary>
    public TimeSpan CoalesceWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Time between two expiry scans (one also runs at start). Default 1 h.</summary>
    public TimeSpan ExpiryScanInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Warn this long before an item expires; one alert per item and threshold, never repeated. Null (the default):
    /// 30 and 7 days. (Null rather than a pre-filled list because the configuration binder appends to lists.)
    /// </summary>
    public IList<TimeSpan>? ExpiryThresholds { get; set; }

    /// <summary><see cref="ExpiryThresholds"/> or the defaults, positive ones only, ascending.</summary>
    public IReadOnlyList<TimeSpan> EffectiveExpiryThresholds =>
        [.. (ExpiryThresholds is { Count: > 0 } t ? t : [TimeSpan.FromDays(30), TimeSpan.FromDays(7)]).Where(x => x > TimeSpan.Zero).Order()];

    /// <summary>How long one webhook request may take before it counts as failed. Default 10 s.</summary>
    public TimeSpan WebhookRequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per delivery before it is marked Failed. Default 6.</summary>
    public int WebhookMaxAttempts { get; set; } = 6;

    /// <summary>
    /// Delay before the second attempt; doubles per attempt (±20 % jitter) up to <see cref="WebhookMaxRetryDelay"/>.
    /// Default 2 min: 2 + 4 + 8 + 16 + 30 min, so the sixth attempt comes about an hour after the first.
    /// </summary>
    public TimeSpan WebhookRetryBaseDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Upper bound of one retry delay. Default 30 min.</summary>
    public TimeSpan WebhookMaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Requests in flight to one webhook at most, so a hanging endpoint holds at most this many of its own deliveries
    /// and none of anyone else's. Default 2.
    /// </summary>
    public int WebhookMaxParallelPerWebhook { get; set; } = 2;

    /// <summary>
    /// Accept <c>http://</c> webhook URLs. False by default (signed but unencrypted alerts leak keystore names);
    /// the console sets it in Development so a local receiver works.
    /// </summary>
    public bool AllowInsecureWebhookUrls { get; set; }

    /// <summary>How often the dispatcher looks for due deliveries even when nothing woke it. Default 15 s.</summary>
    public TimeSpan WebhookPollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a closed alert is kept, counted from its last occurrence (<see cref="Alert.LastOccurredAt"/>), before
    /// <see cref="AlertRetentionSweeper"/> deletes it with its webhook deliveries. Closed = acknowledged and every
    /// delivery Delivered or Failed; open alerts and one-time expiry alerts (with a dedup key) are never deleted.
    /// Default 90 days; at least 1 day, at most 36 500 days.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The largest accepted <see cref="Retention"/>: 36 500 days (about 100 years, "keep forever").</summary>
    public static readonly TimeSpan MaxRetention = TimeSpan.FromDays(36_500);

    /// <summary>Time between two retention sweeps (one also runs at start). Default 6 h; positive, at most 7 days.</summary>
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromHours(6);
}
