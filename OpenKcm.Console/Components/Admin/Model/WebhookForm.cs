using OpenKcm.Core.Alerts;

namespace OpenKcm.Console.Components.Admin.Model;

/// <summary>The create/edit form of the webhooks page. Mutable form model; validation is Core's (<see cref="WebhookService.Validate"/>).</summary>
public sealed class WebhookForm
{
    public string Name { get; set; } = "";

    public string Url { get; set; } = "";

    public bool Enabled { get; set; } = true;

    public WebhookDraft ToDraft() => new() { Name = Name, Url = Url, Enabled = Enabled };

    public static WebhookForm From(WebhookInfo webhook)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return new() { Name = webhook.Name, Url = webhook.Url, Enabled = webhook.Enabled };
    }
}
