namespace OpenKcm.Core.Alerts;

/// <summary>What an administrator enters for a webhook (create or edit). Immutable.</summary>
public sealed record WebhookDraft
{
    public required string Name { get; init; }

    public required string Url { get; init; }

    public bool Enabled { get; init; } = true;
}
