namespace OpenKcm.Core.Alerts;

/// <summary>The delivery of one alert to one webhook, as the alert list shows it. Immutable.</summary>
public sealed record AlertDeliveryStatus
{
    public required Guid DeliveryId { get; init; }

    public required Guid WebhookId { get; init; }

    public required string WebhookName { get; init; }

    public required WebhookDeliveryState State { get; init; }

    public required int Attempts { get; init; }

    public int? LastStatusCode { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    public DateTimeOffset? DeliveredAt { get; init; }

    internal static AlertDeliveryStatus From(WebhookDelivery d, string webhookName) => new()
    {
        DeliveryId = d.Id,
        WebhookId = d.WebhookId,
        WebhookName = webhookName,
        State = d.State,
        Attempts = d.Attempts,
        LastStatusCode = d.LastStatusCode,
        LastError = d.LastError,
        NextAttemptAt = d.NextAttemptAt,
        DeliveredAt = d.DeliveredAt,
    };
}
