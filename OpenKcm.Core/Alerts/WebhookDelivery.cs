namespace OpenKcm.Core.Alerts;

/// <summary>
/// One event to deliver to one webhook, with its state (table <c>webhook_deliveries</c>). The body is fixed when the
/// event is enqueued, so every retry sends the same bytes and event id.
/// </summary>
public sealed class WebhookDelivery
{
    public required Guid Id { get; init; }

    public required Guid WebhookId { get; init; }

    /// <summary>The alert delivered; null for a test event.</summary>
    public Guid? AlertId { get; init; }

    /// <summary>The payload's <c>id</c> and the <c>X-OpenKCM-Event-Id</c> header: the same on every retry.</summary>
    public required Guid EventId { get; init; }

    /// <summary>The payload's <c>type</c>, e.g. <c>alert.raised</c> or <c>webhook.test</c>.</summary>
    public required string EventType { get; init; }

    /// <summary>The JSON body (UTF-8 when sent).</summary>
    public required string Payload { get; init; }

    public required WebhookDeliveryState State { get; set; }

    /// <summary>Attempts made so far (including one in flight).</summary>
    public required int Attempts { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the next attempt is due; null once Delivered or Failed.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>HTTP status of the last answer; null when there was none (timeout, refused).</summary>
    public int? LastStatusCode { get; set; }

    /// <summary>Why the last attempt failed (no secret, no response body); null after success.</summary>
    public string? LastError { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }
}
