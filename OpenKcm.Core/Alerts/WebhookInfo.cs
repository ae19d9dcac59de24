namespace OpenKcm.Core.Alerts;

/// <summary>A webhook as the admin page lists it, with its latest delivery. Immutable; never carries the secret.</summary>
public sealed record WebhookInfo
{
    public required Guid Id { get; init; }

    public required string Name { get; init; }

    public required string Url { get; init; }

    public required bool Enabled { get; init; }

    public required int SecretVersion { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public required int Revision { get; init; }

    /// <summary>The most recently created delivery (alert or test); null when none yet.</summary>
    public AlertDeliveryStatus? LastDelivery { get; init; }

    /// <summary>Deliveries still Pending or Delivering.</summary>
    public int PendingDeliveries { get; init; }
}
