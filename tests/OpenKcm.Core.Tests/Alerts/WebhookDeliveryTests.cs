using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenKcm.Core.Alerts;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Tests.Health;
using OpenKcm.Core.Tests.TestSupport;

namespace OpenKcm.Core.Tests.Alerts;

public sealed class WebhookDeliveryTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Delivery_EndpointAnswers200_SignedJsonPostAndDeliveredState()
    {
        using var receiver = new WebhookReceiver();
        await using var h = await AlertsHarness.CreateAsync(AlertsHarness.FastDelivery(), systemClock: true);
        var created = await CreateAsync(h, "ops", receiver.Url);

        Raise(h, "bao-eu is Critical");
        var item = await WaitForDeliveryAsync(h, WebhookDeliveryState.Delivered);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hook", request.Path);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal(item.Alert.Id.ToString(), request.Headers["X-OpenKCM-Event-Id"]);
        var timestamp = request.Headers["X-OpenKCM-Timestamp"];
        Assert.InRange(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        // Recomputed here from the documented formula, not with the production helper.
        var expected = "sha256=" + Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.ASCII.GetBytes(created.Secret), Encoding.UTF8.GetBytes(timestamp + "." + request.Body)));
        Assert.Equal(expected, request.Headers["X-OpenKCM-Signature"]);

        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        Assert.Equal(item.Alert.Id.ToString(), root.GetProperty("id").GetString());
        Assert.Equal("alert.raised", root.GetProperty("type").GetString());
        var alert = root.GetProperty("alert");
        Assert.Equal("status_critical", alert.GetProperty("type").GetString());
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
        Assert.Equal("bao-eu is Critical", alert.GetProperty("title").GetString());
        Assert.Equal("bao-eu", alert.GetProperty("keystore").GetProperty("name").GetString());
        Assert.Equal("acme", alert.GetProperty("tenant").GetProperty("name").GetString());

        var delivery = Assert.Single(item.Deliveries);
        Assert.Equal(1, delivery.Attempts);
        Assert.Equal(200, delivery.LastStatusCode);
        Assert.NotNull(delivery.DeliveredAt);
        await AssertSecretNowhereAsync(h, created.Secret);
    }

    [Fact]
    public async Task Delivery_EndpointAnswers500Once_IsRetriedAndDelivered()
    {
        using var receiver = new WebhookReceiver { Respond = n => n == 1 ? 500 : 204 };
        await using var h = await AlertsHarness.CreateAsync(AlertsHarness.FastDelivery(), systemClock: true);
        await CreateAsync(h, "ops", receiver.Url);

        Raise(h, "bao-eu is Critical");
        var item = await WaitForDeliveryAsync(h, WebhookDeliveryState.Delivered);

        var delivery = Assert.Single(item.Deliveries);
        Assert.Equal(2, delivery.Attempts);
        Assert.Equal(204, delivery.LastStatusCode);
        Assert.Null(delivery.LastError);
        var ids = receiver.Requests.Select(r => r.Headers["X-OpenKCM-Event-Id"]).Distinct();
        Assert.Equal([item.Alert.Id.ToString()], ids);
        Assert.Single(receiver.Requests.Select(r => r.Body).Distinct());
    }

    [Fact]
    public async Task Delivery_EveryAttemptFails_MarkedFailedAfterTheLastAttemptAndAudited()
    {
        using var receiver = new WebhookReceiver { Respond = _ => 503 };
        await using var h = await AlertsHarness.CreateAsync(AlertsHarness.FastDelivery(maxAttempts: 3), systemClock: true);
        await CreateAsync(h, "ops", receiver.Url);

        Raise(h, "bao-eu is Critical");
        var item = await WaitForDeliveryAsync(h, WebhookDeliveryState.Failed);

        var delivery = Assert.Single(item.Deliveries);
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal(503, delivery.LastStatusCode);
        Assert.Equal("The endpoint answered 503 Service Unavailable.", delivery.LastError);
        Assert.Null(delivery.NextAttemptAt);
        Assert.Equal(3, receiver.Requests.Count);
        var entry = Assert.Single(await h.Core.AuditEntriesAsync("webhook.delivery_failed"));
        Assert.Equal(AuditOutcome.Failure, entry.Outcome);
        Assert.Contains("attempts=3", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_HangingEndpoint_TimesOutWithoutStallingAnotherWebhook()
    {
        using var hanging = new WebhookReceiver { Respond = _ => WebhookReceiver.Hang };
        using var healthy = new WebhookReceiver();
        var options = AlertsHarness.FastDelivery();
        options.WebhookRequestTimeout = TimeSpan.FromSeconds(2);
        await using var h = await AlertsHarness.CreateAsync(options, systemClock: true);
        await CreateAsync(h, "hangs", hanging.Url);
        await CreateAsync(h, "works", healthy.Url);

        for (var i = 0; i < 4; i++)
        {
            Raise(h, $"alert {i}");
        }

        // All four reach the healthy endpoint while the other one holds at most its two slots, hanging.
        await Eventually.UntilAsync(() => healthy.Requests.Count == 4, "the healthy webhook gets every alert", timeout: s_timeout);
        // A delivery is Delivering only while it holds one of its webhook's slots (the receiver's own count of parked
        // requests also keeps those the console has already timed out and retried).
        Assert.InRange(Deliveries(h).Count(d => d.WebhookName == "hangs" && d.State == WebhookDeliveryState.Delivering),
            0, options.WebhookMaxParallelPerWebhook);

        await Eventually.UntilAsync(() => Deliveries(h).Any(d => d.WebhookName == "hangs" && d.LastError is not null),
            "a hanging request times out", timeout: s_timeout);
        var timedOut = Deliveries(h).First(d => d.WebhookName == "hangs" && d.LastError is not null);
        Assert.Equal("No answer within 2 s.", timedOut.LastError);
        Assert.Null(timedOut.LastStatusCode);
        // The fourth request reached the receiver before its result was recorded.
        await Eventually.UntilAsync(() => Deliveries(h).Where(d => d.WebhookName == "works").All(d => d.State == WebhookDeliveryState.Delivered),
            "every delivery to the healthy webhook is recorded as delivered", timeout: s_timeout);
        Assert.Equal(4, Deliveries(h).Count(d => d.WebhookName == "works"));
    }

    [Fact]
    public async Task Delivery_ProcessStopsMidRequest_ResumedByANewInstanceOverTheSameDatabase()
    {
        using var receiver = new WebhookReceiver { Respond = n => n == 1 ? WebhookReceiver.Hang : 200 };
        var options = AlertsHarness.FastDelivery();
        options.WebhookRequestTimeout = TimeSpan.FromMinutes(1);
        await using var h = await AlertsHarness.CreateAsync(options, systemClock: true);
        await CreateAsync(h, "ops", receiver.Url);
        Raise(h, "bao-eu is Critical");
        await Eventually.UntilAsync(() => receiver.Hanging == 1, "the first attempt hangs", timeout: s_timeout);
        Assert.Equal(WebhookDeliveryState.Delivering, Assert.Single(Deliveries(h)).State);

        await h.RestartAsync();
        var item = await WaitForDeliveryAsync(h, WebhookDeliveryState.Delivered);

        var delivery = Assert.Single(item.Deliveries);
        Assert.Equal(2, delivery.Attempts);
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(r => r.Headers["X-OpenKCM-Event-Id"]).Distinct());
    }

    [Fact]
    public async Task Delivery_PendingRetryAtRestart_IsSentByTheNewInstance()
    {
        using var receiver = new WebhookReceiver { Respond = n => n == 1 ? 500 : 200 };
        var options = AlertsHarness.FastDelivery();
        // Long enough that the old instance is stopped well before the retry is due, even on a loaded machine.
        options.WebhookRetryBaseDelay = TimeSpan.FromSeconds(5);
        options.WebhookMaxRetryDelay = TimeSpan.FromSeconds(5);
        await using var h = await AlertsHarness.CreateAsync(options, systemClock: true);
        await CreateAsync(h, "ops", receiver.Url);
        Raise(h, "bao-eu is Critical");
        await Eventually.UntilAsync(() => Deliveries(h).SingleOrDefault() is { State: WebhookDeliveryState.Pending, Attempts: 1 },
            "the first attempt failed and a retry is scheduled", timeout: s_timeout);

        await h.RestartAsync();
        var item = await WaitForDeliveryAsync(h, WebhookDeliveryState.Delivered);

        Assert.Equal(2, Assert.Single(item.Deliveries).Attempts);
    }

    [Fact]
    public async Task Delivery_RecordingTheResultFailsOnce_ReachesDeliveredWithoutARestart()
    {
        using var receiver = new WebhookReceiver();
        await using var h = await AlertsHarness.CreateAsync(AlertsHarness.FastDelivery(), systemClock: true);
        await CreateAsync(h, "ops", receiver.Url);

        // The first write of a Delivered state is silently skipped inside SQLite (RAISE(IGNORE)), so EF finds no row
        // updated and throws; the trigger empties fail_once as it fires, so it fails exactly once.
        await h.Core.ExecuteSqlAsync("CREATE TABLE fail_once (n INTEGER); INSERT INTO fail_once VALUES (1);");
        await h.Core.ExecuteSqlAsync("""
            CREATE TRIGGER fail_record_once BEFORE UPDATE ON webhook_deliveries
            WHEN NEW.state = 'Delivered' AND EXISTS (SELECT 1 FROM fail_once)
            BEGIN DELETE FROM fail_once; SELECT RAISE(IGNORE); END;
            """);

        Raise(h, "bao-eu is Critical");
        var item = await WaitForDeliveryAsync(h, WebhookDeliveryState.Delivered);

        Assert.Equal(0, await h.Core.CountAsync("fail_once")); // The record step did fail once.
        var delivery = Assert.Single(item.Deliveries);
        Assert.Equal(1, delivery.Attempts); // Written from memory, not sent again.
        Assert.Equal(200, delivery.LastStatusCode);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task Delivery_LeftDeliveringWithNoRequestInFlight_IsReclaimedAndSentAgainWithoutARestart()
    {
        using var receiver = new WebhookReceiver();
        await using var h = await AlertsHarness.CreateAsync(AlertsHarness.FastDelivery(), systemClock: true);
        await CreateAsync(h, "ops", receiver.Url);
        Raise(h, "bao-eu is Critical");
        var first = await WaitForDeliveryAsync(h, WebhookDeliveryState.Delivered);
        var id = Assert.Single(first.Deliveries).DeliveryId;

        // As a lost result write leaves it: Delivering, nothing in flight, last attempt past the timeout plus margin.
        await using (var db = h.Core.Db.CreateDbContext())
        {
            var row = await db.WebhookDeliveries.SingleAsync(d => d.Id == id);
            row.State = WebhookDeliveryState.Delivering;
            row.DeliveredAt = null;
            row.LastAttemptAt = DateTimeOffset.UtcNow - h.Options.WebhookRequestTimeout - TimeSpan.FromMinutes(2);
            await db.SaveChangesAsync();
        }

        h.Dispatcher.Wake();
        await Eventually.UntilAsync(() => Deliveries(h).Single() is { State: WebhookDeliveryState.Delivered, Attempts: 2 },
            "the stale Delivering row is sent again", timeout: s_timeout);
        Assert.Equal(2, receiver.Requests.Count);
    }

    [Fact]
    public async Task Delivery_RecentDeliveringRowNotInFlight_IsLeftAloneUntilTheTimeoutPlusMarginPasses()
    {
        using var receiver = new WebhookReceiver();
        await using var h = await AlertsHarness.CreateAsync(AlertsHarness.FastDelivery(), systemClock: true);
        await CreateAsync(h, "ops", receiver.Url);
        Raise(h, "first");
        var first = await WaitForDeliveryAsync(h, WebhookDeliveryState.Delivered);
        var id = Assert.Single(first.Deliveries).DeliveryId;
        await using (var db = h.Core.Db.CreateDbContext())
        {
            var row = await db.WebhookDeliveries.SingleAsync(d => d.Id == id);
            row.State = WebhookDeliveryState.Delivering;
            row.LastAttemptAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync();
        }

        // A later alert is delivered (so the loop has passed over the row) while the recent one is not reclaimed.
        Raise(h, "second");
        await Eventually.UntilAsync(() => receiver.Requests.Count == 2, "the second alert is delivered", timeout: s_timeout);
        h.Dispatcher.Wake();
        await Eventually.UntilAsync(() => Deliveries(h).Count(d => d.State == WebhookDeliveryState.Delivered) == 1
            && Deliveries(h).Count == 2, "the second delivery is recorded", timeout: s_timeout);
        Assert.Equal(WebhookDeliveryState.Delivering, Deliveries(h).Single(d => d.DeliveryId == id).State);
        Assert.Equal(2, receiver.Requests.Count);
    }

    [Fact]
    public async Task SendTestAsync_DeliversATestEventAndIsAudited()
    {
        using var receiver = new WebhookReceiver();
        await using var h = await AlertsHarness.CreateAsync(AlertsHarness.FastDelivery(), systemClock: true);
        var created = await CreateAsync(h, "ops", receiver.Url);

        var deliveryId = await h.Webhooks.SendTestAsync(created.Webhook.Id, CoreTestContext.Admin, CancellationToken.None);
        Assert.NotNull(deliveryId);
        await Eventually.UntilAsync(() => h.Webhooks.GetDeliveryAsync(deliveryId.Value, CancellationToken.None).Result?.State == WebhookDeliveryState.Delivered,
            "the test event is delivered", timeout: s_timeout);

        using var json = JsonDocument.Parse(Assert.Single(receiver.Requests).Body);
        Assert.Equal("webhook.test", json.RootElement.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("alert").ValueKind);
        Assert.Single(await h.Core.AuditEntriesAsync("webhook.test"));
        var info = Assert.Single(await h.Webhooks.ListAsync(CancellationToken.None));
        Assert.Equal(WebhookDeliveryState.Delivered, info.LastDelivery?.State);
    }

    [Fact]
    public async Task Delivery_DisabledWebhook_KeepsAlertDeliveriesPendingAndVisible()
    {
        using var receiver = new WebhookReceiver();
        await using var h = await AlertsHarness.CreateAsync(AlertsHarness.FastDelivery(), systemClock: true);
        var created = await CreateAsync(h, "ops", receiver.Url);
        Raise(h, "first");
        await WaitForDeliveryAsync(h, WebhookDeliveryState.Delivered);
        var info = created.Webhook;
        var updated = await h.Webhooks.UpdateAsync(info.Id, info.Revision, new WebhookDraft { Name = "ops", Url = receiver.Url, Enabled = false },
            CoreTestContext.Admin, CancellationToken.None);
        Assert.True(updated!.Succeeded);

        // Disabled webhooks get no new deliveries at all.
        Raise(h, "second");
        await h.Centre.WhenWrittenAsync(CancellationToken.None);

        var page = await h.Centre.ListAsync(new AlertQuery(), CancellationToken.None);
        Assert.Empty(page.Items.Single(i => i.Alert.Title == "second").Deliveries);
        Assert.Single(receiver.Requests);
    }

    private static async Task<CreatedWebhook> CreateAsync(AlertsHarness h, string name, string url)
    {
        var result = await h.Webhooks.CreateAsync(new WebhookDraft { Name = name, Url = url }, CoreTestContext.Admin, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        return result.Value;
    }

    private static void Raise(AlertsHarness h, string title) => Assert.True(h.Centre.Enqueue(new AlertRequest
    {
        Type = AlertType.StatusCritical,
        Severity = AlertSeverity.Critical,
        At = h.Time.GetUtcNow(),
        Title = title,
        Detail = "3 consecutive failures.",
        TenantId = Guid.NewGuid(),
        TenantName = "acme",
        KeystoreId = Guid.NewGuid(),
        KeystoreName = "bao-eu",
    }));

    private static List<AlertDeliveryStatus> Deliveries(AlertsHarness h) =>
        [.. h.Centre.ListAsync(new AlertQuery(), CancellationToken.None).Result.Items.SelectMany(i => i.Deliveries)];

    private static async Task<AlertListItem> WaitForDeliveryAsync(AlertsHarness h, WebhookDeliveryState state)
    {
        AlertListItem? found = null;
        await Eventually.UntilAsync(() =>
        {
            var items = h.Centre.ListAsync(new AlertQuery(), CancellationToken.None).Result.Items;
            found = items.FirstOrDefault(i => i.Deliveries.Length > 0 && i.Deliveries.All(d => d.State == state));
            return found is not null;
        }, $"a delivery reaches {state}", timeout: s_timeout);
        return found!;
    }

    private static async Task AssertSecretNowhereAsync(AlertsHarness h, string secret)
    {
        var all = await h.Core.Audit.QueryAsync(new AuditQuery { Take = AuditQuery.MaxTake }, CancellationToken.None);
        Assert.DoesNotContain(all.Entries, e => (e.Detail ?? "").Contains(secret, StringComparison.Ordinal));
        Assert.Contains(all.Entries, e => e.Action == "secret.use" && (e.Detail ?? "").Contains("field=signing_secret", StringComparison.Ordinal));
        var info = Assert.Single(await h.Webhooks.ListAsync(CancellationToken.None));
        Assert.DoesNotContain(secret, info.ToString(), StringComparison.Ordinal);
    }
}
