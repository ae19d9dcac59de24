namespace OpenKcm.Core.Alerts;

/// <summary>A webhook as the admin page lists it, with its latest delivery. Immutable; never carries the secret.</summary>
public sealed record WebhookInfo
{
    public required Guid Id { get; init; }

    public required string Name { get; init; }

    /// <summary>
    /// The full endpoint URL, which may carry a credential in its path or query: only for the Administrator's edit
    /// form and the request itself; never log, audit or list it (use <see cref="DisplayUrl"/>).
    /// </summary>
    public required string Url { get; init; }

    /// <summary><see cref="Url"/> redacted by <see cref="WebhookUrl.Redact"/>: for lists, logs and audit details.</summary>
    public required string DisplayUrl { get; init; }

    public required bool Enabled { get; init; }

    public required int SecretVersion { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public required int Revision { get; init; }

    /// <summary>The most recently created delivery (alert or test); null when none yet.</summary>
    public AlertDeliveryStatus? LastDelivery { get; init; }

    /// <summary>Deliveries still Pending or Delivering.</summary>
    public int PendingDeliveries { get; init; }

    /// <summary>Names the webhook with <see cref="DisplayUrl"/> only, never the full URL.</summary>
    public override string ToString() =>
        $"WebhookInfo {{ Id = {Id}, Name = {Name}, DisplayUrl = {DisplayUrl}, Enabled = {Enabled}, SecretVersion = {SecretVersion}, Revision = {Revision}, PendingDeliveries = {PendingDeliveries} }}";
}
