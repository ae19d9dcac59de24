namespace OpenKcm.Core.Alerts;

/// <summary>Where a <see cref="WebhookDelivery"/> stands. Stored by name.</summary>
public enum WebhookDeliveryState
{
    /// <summary>Waiting for its first or next attempt (<see cref="WebhookDelivery.NextAttemptAt"/>).</summary>
    Pending,

    /// <summary>A request is in flight. Found at start-up, it means the process stopped mid-request: it is retried.</summary>
    Delivering,

    /// <summary>The endpoint answered 2xx.</summary>
    Delivered,

    /// <summary>Every attempt failed; no more are made (the last error is kept).</summary>
    Failed,
}
