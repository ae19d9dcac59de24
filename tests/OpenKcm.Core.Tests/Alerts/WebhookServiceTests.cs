using OpenKcm.Core.Alerts;
using OpenKcm.Core.Tests.TestSupport;

namespace OpenKcm.Core.Tests.Alerts;

public sealed class WebhookServiceTests
{
    [Fact]
    public async Task CreateAsync_Valid_ReturnsA32ByteSecretOnceAndStoresItInTheVault()
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);

        var result = await h.Webhooks.CreateAsync(new WebhookDraft { Name = " ops ", Url = "https://hooks.example.com/a" }, CoreTestContext.Admin, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Matches("^[0-9a-f]{64}$", result.Value.Secret);
        Assert.DoesNotContain(result.Value.Secret, result.Value.ToString(), StringComparison.Ordinal);
        Assert.Equal("ops", result.Value.Webhook.Name);
        Assert.Equal(1, result.Value.Webhook.SecretVersion);
        using var stored = await h.Core.Vault.ReadAsync(result.Value.Webhook.Id, WebhookService.SecretField, 1, "test", CoreTestContext.Admin, CancellationToken.None);
        Assert.Equal(result.Value.Secret, stored!.Reveal());
        Assert.Single(await h.Core.AuditEntriesAsync("webhook.create"));
        var write = Assert.Single(await h.Core.AuditEntriesAsync("secret.write"));
        Assert.Contains("field=signing_secret", write.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Value.Secret, write.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAndUpdate_AuditAndToStringCarryTheUrlRedacted_InfoKeepsItInFull()
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);
        const string slack = "https://hooks.slack.com/services/T0ACME/B0OPS/s3cr3tT0ken";
        const string pagerDuty = "https://events.pagerduty.com/integration/r0ut1ngK3y/enqueue?token=qu3ryS3cret";

        var created = (await h.Webhooks.CreateAsync(new WebhookDraft { Name = "ops", Url = slack }, CoreTestContext.Admin, CancellationToken.None)).Value!;
        var updated = await h.Webhooks.UpdateAsync(created.Webhook.Id, created.Webhook.Revision,
            new WebhookDraft { Name = "ops", Url = pagerDuty }, CoreTestContext.Admin, CancellationToken.None);

        Assert.True(updated!.Succeeded);
        Assert.Contains("url=https://hooks.slack.com/services/… ", Assert.Single(await h.Core.AuditEntriesAsync("webhook.create")).Detail, StringComparison.Ordinal);
        Assert.Contains("url=https://events.pagerduty.com/integration/…?… ", Assert.Single(await h.Core.AuditEntriesAsync("webhook.update")).Detail, StringComparison.Ordinal);
        var all = await h.Core.Audit.QueryAsync(new OpenKcm.Core.Audit.AuditQuery { Take = OpenKcm.Core.Audit.AuditQuery.MaxTake }, CancellationToken.None);
        foreach (var secret in (string[])["s3cr3tT0ken", "B0OPS", "r0ut1ngK3y", "qu3ryS3cret"])
        {
            Assert.DoesNotContain(all.Entries, e => (e.Detail ?? "").Contains(secret, StringComparison.Ordinal));
        }

        var info = Assert.Single(await h.Webhooks.ListAsync(CancellationToken.None));
        Assert.Equal(pagerDuty, info.Url); // The edit form's value and the request target.
        Assert.Equal("https://events.pagerduty.com/integration/…?…", info.DisplayUrl);
        Assert.DoesNotContain("r0ut1ngK3y", info.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("qu3ryS3cret", info.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "https://x.example.com/", "name")]
    [InlineData("ops", "", "url")]
    [InlineData("ops", "/relative/path", "url")]
    [InlineData("ops", "ftp://x.example.com/", "url")]
    [InlineData("ops", "http://x.example.com/", "url")]
    [InlineData("ops", "https://user:pw@x.example.com/", "url")]
    [InlineData("ops", "https://x.example.com/#frag", "url")]
    public async Task CreateAsync_Invalid_FieldErrorAndNothingStored(string name, string url, string field)
    {
        await using var h = await AlertsHarness.CreateAsync(new AlertOptions { AllowInsecureWebhookUrls = false }, start: false);

        var result = await h.Webhooks.CreateAsync(new WebhookDraft { Name = name, Url = url }, CoreTestContext.Admin, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(field, Assert.Single(result.Errors).Field);
        Assert.Equal(0, await h.Core.CountAsync("webhooks"));
        Assert.Equal(0, await h.Core.CountAsync("stored_secrets"));
    }

    [Fact]
    public async Task CreateAsync_HttpInDevelopment_Accepted()
    {
        await using var h = await AlertsHarness.CreateAsync(new AlertOptions { AllowInsecureWebhookUrls = true }, start: false);

        var result = await h.Webhooks.CreateAsync(new WebhookDraft { Name = "dev", Url = "http://127.0.0.1:9/hook" }, CoreTestContext.Admin, CancellationToken.None);

        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task CreateAsync_NameTakenIgnoringCase_FieldError()
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);
        await h.Webhooks.CreateAsync(new WebhookDraft { Name = "Ops", Url = "https://a.example.com/" }, CoreTestContext.Admin, CancellationToken.None);

        var result = await h.Webhooks.CreateAsync(new WebhookDraft { Name = "ops", Url = "https://b.example.com/" }, CoreTestContext.Admin, CancellationToken.None);

        Assert.Equal("name", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public async Task UpdateAsync_StaleRevision_RefusedAndNothingChanges()
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);
        var created = (await h.Webhooks.CreateAsync(new WebhookDraft { Name = "ops", Url = "https://a.example.com/" }, CoreTestContext.Admin, CancellationToken.None)).Value!;
        var first = await h.Webhooks.UpdateAsync(created.Webhook.Id, created.Webhook.Revision,
            new WebhookDraft { Name = "ops", Url = "https://b.example.com/" }, CoreTestContext.Admin, CancellationToken.None);

        var stale = await h.Webhooks.UpdateAsync(created.Webhook.Id, created.Webhook.Revision,
            new WebhookDraft { Name = "ops", Url = "https://c.example.com/" }, CoreTestContext.Admin, CancellationToken.None);

        Assert.True(first!.Succeeded);
        Assert.False(stale!.Succeeded);
        Assert.Equal("https://b.example.com/", (await h.Webhooks.GetAsync(created.Webhook.Id, CancellationToken.None))!.Url);
        Assert.Single(await h.Core.AuditEntriesAsync("webhook.update"));
    }

    [Fact]
    public async Task RotateSecretAsync_NewSecretAndVersion_Audited()
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);
        var created = (await h.Webhooks.CreateAsync(new WebhookDraft { Name = "ops", Url = "https://a.example.com/" }, CoreTestContext.Admin, CancellationToken.None)).Value!;

        var rotated = await h.Webhooks.RotateSecretAsync(created.Webhook.Id, CoreTestContext.Admin, CancellationToken.None);

        Assert.NotNull(rotated);
        Assert.NotEqual(created.Secret, rotated.Secret);
        Assert.Equal(2, rotated.Webhook.SecretVersion);
        Assert.Single(await h.Core.AuditEntriesAsync("webhook.rotate_secret"));
        Assert.Null(await h.Webhooks.RotateSecretAsync(Guid.NewGuid(), CoreTestContext.Admin, CancellationToken.None));
    }

    [Fact]
    public async Task DeleteAsync_RemovesWebhookDeliveriesAndSecrets_KeepsAlerts()
    {
        await using var h = await AlertsHarness.CreateAsync();
        var created = (await h.Webhooks.CreateAsync(new WebhookDraft { Name = "ops", Url = "http://127.0.0.1:9/hook" }, CoreTestContext.Admin, CancellationToken.None)).Value!;
        h.Centre.Enqueue(new AlertRequest { Type = AlertType.Failover, Severity = AlertSeverity.Critical, At = h.Time.GetUtcNow(), Title = "x" });
        await h.Centre.WhenWrittenAsync(CancellationToken.None);

        var deleted = await h.Webhooks.DeleteAsync(created.Webhook.Id, CoreTestContext.Admin, CancellationToken.None);

        Assert.True(deleted);
        Assert.False(await h.Webhooks.DeleteAsync(created.Webhook.Id, CoreTestContext.Admin, CancellationToken.None));
        Assert.Equal(0, await h.Core.CountAsync("webhooks"));
        Assert.Equal(0, await h.Core.CountAsync("webhook_deliveries"));
        Assert.Equal(0, await h.Core.CountAsync("stored_secrets"));
        Assert.Equal(1, await h.Core.CountAsync("alerts"));
        Assert.Single(await h.Core.AuditEntriesAsync("webhook.delete"));
    }
}
