namespace OpenKcm.Core.Alerts;

/// <summary>Where a <see cref="WebhookDelivery"/> stands. Stored by name.</summary>
public enum WebhookDeliveryState
{
    /// <summary>Waiting for its first or next attempt (<see cref="WebhookDelivery.NextAttemptAt"/>).</summary>
    Pending,

    /// <summary>
    /// A request is in flight. Found at start-up, it means the process stopped mid-request: it is retried. Found later
    /// with no request in flight and its last attempt older than the request timeout + 1 min, its result was lost: it is
    /// made Pending and sent again.
    /// </summary>
    Delivering,

    /// <summary>The endpoint answered 2xx.</summary>
    Delivered,

    /// <summary>Every attempt failed; no more are made (the last error is kept).</summary>
    Failed,
}
