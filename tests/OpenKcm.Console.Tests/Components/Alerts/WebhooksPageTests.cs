using AngleSharp.Dom;
using Bunit;
using OpenKcm.Console.Components.Admin;
using OpenKcm.Console.Identity;
using OpenKcm.Core.Alerts;

namespace OpenKcm.Console.Tests.Components.Alerts;

public sealed class WebhooksPageTests : AlertsTestContext
{
    public WebhooksPageTests() => SignIn("ada@example.test", Roles.Administrator);

    private static IReadOnlyList<IElement> Rows(IRenderedComponent<WebhooksPage> cut) => cut.FindAll("table[aria-label=Webhooks] tbody tr");

    private static IElement Button(IRenderedComponent<WebhooksPage> cut, string text) =>
        cut.FindAll("button").Single(b => b.GetAttribute("aria-label") == text || (b.GetAttribute("aria-label") is null && b.TextContent.Trim().EndsWith(text, StringComparison.Ordinal)));

    [Fact]
    public async Task Create_Valid_ShowsTheSecretOnceThenListsTheWebhook()
    {
        var cut = Render<WebhooksPage>();
        cut.WaitForAssertion(() => Assert.Contains("No webhooks yet.", cut.Markup, StringComparison.Ordinal));

        cut.Find("#webhook-name").Change("ops");
        cut.Find("#webhook-url").Change("https://hooks.example.com/openkcm");
        await cut.Find("form[aria-labelledby=form-title]").SubmitAsync();

        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));
        var secret = cut.Find("#webhook-secret").GetAttribute("value")!;
        Assert.Matches("^[0-9a-f]{64}$", secret);
        Assert.Equal("Signing secret", cut.Find("label[for=webhook-secret]").TextContent);
        Assert.Contains("https://hooks.example.com/openkcm", Rows(cut)[0].TextContent, StringComparison.Ordinal);

        await Button(cut, "I have stored it").ClickAsync(new());

        Assert.DoesNotContain(secret, cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("#webhook-secret"));
    }

    [Fact]
    public async Task CopySecret_CallsTheClipboard()
    {
        var cut = Render<WebhooksPage>();
        cut.Find("#webhook-name").Change("ops");
        cut.Find("#webhook-url").Change("https://hooks.example.com/openkcm");
        await cut.Find("form[aria-labelledby=form-title]").SubmitAsync();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("#webhook-secret")));
        var secret = cut.Find("#webhook-secret").GetAttribute("value");

        await Button(cut, "Copy secret").ClickAsync(new());

        var call = JSInterop.VerifyInvoke("navigator.clipboard.writeText");
        Assert.Equal(secret, call.Arguments[0]);
        Assert.Contains("Copied to the clipboard.", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_HttpUrlOutsideDevelopment_ErrorNextToTheFieldAndNothingCreated()
    {
        var cut = Render<WebhooksPage>();

        cut.Find("#webhook-name").Change("ops");
        cut.Find("#webhook-url").Change("http://hooks.example.com/openkcm");
        await cut.Find("form[aria-labelledby=form-title]").SubmitAsync();

        cut.WaitForAssertion(() => Assert.Equal("Use https: plain http is accepted only in Development.", cut.Find("#webhook-url-error").TextContent));
        Assert.Equal("true", cut.Find("#webhook-url").GetAttribute("aria-invalid"));
        Assert.Empty(await Webhooks.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Edit_ChangesUrlAndEnabled()
    {
        await Webhooks.CreateAsync(new WebhookDraft { Name = "ops", Url = "https://a.example.com/" }, Admin, CancellationToken.None);
        var cut = Render<WebhooksPage>();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));

        await Button(cut, "Edit ops").ClickAsync(new());
        Assert.Equal("Edit webhook ops", cut.Find("#form-title").TextContent);
        cut.Find("#webhook-url").Change("https://b.example.com/");
        cut.Find("input[type=checkbox]").Change(false);
        await cut.Find("form[aria-labelledby=form-title]").SubmitAsync();

        cut.WaitForAssertion(() => Assert.Contains("Webhook ops saved.", cut.Markup, StringComparison.Ordinal));
        var info = Assert.Single(await Webhooks.ListAsync(CancellationToken.None));
        Assert.Equal("https://b.example.com/", info.Url);
        Assert.False(info.Enabled);
    }

    [Fact]
    public async Task List_ShowsTheUrlRedacted_EditFormShowsItInFull()
    {
        const string url = "https://hooks.slack.com/services/T0ACME/B0OPS/s3cr3tT0ken?channel=ops";
        await Webhooks.CreateAsync(new WebhookDraft { Name = "ops", Url = url }, Admin, CancellationToken.None);
        var cut = Render<WebhooksPage>();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));

        Assert.Equal("https://hooks.slack.com/services/…?…", Rows(cut)[0].QuerySelector("code")!.TextContent);
        Assert.DoesNotContain("s3cr3tT0ken", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("channel=ops", cut.Markup, StringComparison.Ordinal);

        await Button(cut, "Edit ops").ClickAsync(new());
        Assert.Equal(url, cut.Find("#webhook-url").GetAttribute("value"));
    }

    [Fact]
    public async Task Delete_AsksForConfirmationFirst()
    {
        await Webhooks.CreateAsync(new WebhookDraft { Name = "ops", Url = "https://a.example.com/" }, Admin, CancellationToken.None);
        var cut = Render<WebhooksPage>();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));

        await Button(cut, "Delete ops").ClickAsync(new());
        Assert.Single(await Webhooks.ListAsync(CancellationToken.None));
        Assert.Equal("Delete webhook ops?", cut.Find("[role=alertdialog] h2").TextContent);
        await Button(cut, "Confirm deleting ops").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("Webhook ops deleted.", cut.Markup, StringComparison.Ordinal));
        Assert.Empty(await Webhooks.ListAsync(CancellationToken.None));
        Assert.Empty(Rows(cut));
    }

    [Fact]
    public async Task RotateSecret_ShowsTheNewSecretOnce()
    {
        var created = (await Webhooks.CreateAsync(new WebhookDraft { Name = "ops", Url = "https://a.example.com/" }, Admin, CancellationToken.None)).Value!;
        var cut = Render<WebhooksPage>();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));

        await Button(cut, "Rotate secret of ops").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("#webhook-secret")));
        var secret = cut.Find("#webhook-secret").GetAttribute("value");
        Assert.Matches("^[0-9a-f]{64}$", secret);
        Assert.NotEqual(created.Secret, secret);
        Assert.Equal(2, Assert.Single(await Webhooks.ListAsync(CancellationToken.None)).SecretVersion);
    }

    [Fact]
    public async Task SendTestEvent_QueuesADeliveryShownAsLastDelivery()
    {
        await Webhooks.CreateAsync(new WebhookDraft { Name = "ops", Url = "https://a.example.com/" }, Admin, CancellationToken.None);
        var cut = Render<WebhooksPage>();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));

        await Button(cut, "Send test event to ops").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("Pending", Rows(cut)[0].TextContent, StringComparison.Ordinal));
        Assert.Contains("Test event queued for ops", cut.Markup, StringComparison.Ordinal);
    }
}
