using OpenKcm.Core.Alerts;

namespace OpenKcm.Core.Tests.Alerts;

public sealed class WebhookUrlTests
{
    [Theory]
    [InlineData("https://hooks.slack.com/services/T000/B000/XXXXXXXX", "https://hooks.slack.com/services/…")]
    [InlineData("https://acme.webhook.office.com/webhookb2/a1b2@c3d4/IncomingWebhook/e5f6/g7h8", "https://acme.webhook.office.com/webhookb2/…")]
    [InlineData("https://events.pagerduty.com/integration/KEY123/enqueue", "https://events.pagerduty.com/integration/…")]
    [InlineData("https://alerts.example.com/hook?token=abc&x=1", "https://alerts.example.com/hook?…")]
    [InlineData("https://alerts.example.com/a/b?token=abc", "https://alerts.example.com/a/…?…")]
    [InlineData("https://alerts.example.com/openkcm", "https://alerts.example.com/openkcm")]
    [InlineData("https://alerts.example.com/openkcm/", "https://alerts.example.com/openkcm/")]
    [InlineData("https://alerts.example.com/", "https://alerts.example.com/")]
    [InlineData("https://alerts.example.com", "https://alerts.example.com/")]
    [InlineData("https://alerts.example.com/?k=v", "https://alerts.example.com/?…")]
    [InlineData("http://127.0.0.1:5080/hook/abc", "http://127.0.0.1:5080/hook/…")]
    [InlineData("https://alerts.example.com:443/hook", "https://alerts.example.com/hook")]
    [InlineData("https://[::1]:8443/hook/secret", "https://[::1]:8443/hook/…")]
    [InlineData("https://user:pw@alerts.example.com/hook/secret#frag", "https://alerts.example.com/hook/…")]
    [InlineData("  https://alerts.example.com/hook/secret  ", "https://alerts.example.com/hook/…")]
    public void Redact_KeepsSchemeHostPortAndFirstSegment(string url, string expected) =>
        Assert.Equal(expected, WebhookUrl.Redact(url));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("/relative/secret")]
    [InlineData("not a url secret")]
    [InlineData("file:///etc/secret")]
    public void Redact_NotAnAbsoluteUrl_ShowsNothingOfIt(string? url) =>
        Assert.Equal(WebhookUrl.Invalid, WebhookUrl.Redact(url));
}
