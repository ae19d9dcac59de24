namespace OpenKcm.Core.Alerts;

/// <summary>
/// A configured webhook endpoint (table <c>webhooks</c>). The signing secret lives in the credential vault (owner
/// <see cref="Id"/>, field <see cref="WebhookService.SecretField"/>, version <see cref="SecretVersion"/>), never here.
/// </summary>
public sealed class Webhook
{
    public required Guid Id { get; init; }

    /// <summary>Unique, 1–64 characters.</summary>
    public required string Name { get; set; }

    /// <summary>Absolute http(s) URL without user info; https only unless <see cref="AlertOptions.AllowInsecureWebhookUrls"/>.</summary>
    public required string Url { get; set; }

    public required bool Enabled { get; set; }

    /// <summary>The vault version of the signing secret in use.</summary>
    public required int SecretVersion { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Optimistic concurrency: two administrators editing at once do not silently overwrite each other.</summary>
    public int Revision { get; set; }
}
