namespace OpenKcm.Core.Alerts;

/// <summary>
/// A webhook just created (or whose secret was just rotated) and its signing secret: the only time the console
/// hands the secret out. Show it once, then drop it; <see cref="ToString"/> redacts it.
/// </summary>
public sealed class CreatedWebhook
{
    public required WebhookInfo Webhook { get; init; }

    /// <summary>64 lower-case hex characters; the HMAC key is this text's ASCII bytes.</summary>
    public required string Secret { get; init; }

    public override string ToString() => $"{Webhook.Name} (secret ***)";
}
