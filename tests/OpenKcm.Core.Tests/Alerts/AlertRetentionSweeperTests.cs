using Microsoft.EntityFrameworkCore;
using OpenKcm.Core.Alerts;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Tests.TestSupport;

namespace OpenKcm.Core.Tests.Alerts;

/// <summary>
/// The retention rules on a real SQLite file with the fake clock: rows are seeded in the states under test (as the
/// centre and the dispatcher leave them) and <see cref="AlertRetentionSweeper.SweepAsync"/> is called directly; one
/// test runs the hosted loop.
/// </summary>
public sealed class AlertRetentionSweeperTests
{
    private static readonly Guid s_keystore = Guid.Parse("5d1f0f3a-0000-4000-8000-000000000002");

    [Fact]
    public async Task SweepAsync_OldAcknowledgedAllDeliveriesFinal_DeletedWithItsDeliveriesAndAudited()
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);
        var (a, b) = await SeedWebhooksAsync(h);
        var old = await SeedAlertAsync(h, lastSeenDaysAgo: 100, acknowledged: true,
            (a, WebhookDeliveryState.Delivered), (b, WebhookDeliveryState.Failed));
        var kept = await SeedAlertAsync(h, lastSeenDaysAgo: 1, acknowledged: true, (a, WebhookDeliveryState.Delivered));

        var result = await h.Retention.SweepAsync(CancellationToken.None);

        Assert.Equal(1, result.Alerts);
        Assert.Equal(2, result.Deliveries);
        Assert.Equal(h.Core.Time.GetUtcNow() - TimeSpan.FromDays(90), result.Cutoff);
        Assert.Equal([kept], await AlertIdsAsync(h));
        Assert.Equal(1, await h.Core.CountAsync("webhook_deliveries"));
        Assert.False(await DeliveriesExistAsync(h, old));
        var entry = Assert.Single(await h.Core.AuditEntriesAsync("alert.retention"));
        Assert.Equal("system:alerts", entry.ActorId);
        Assert.Equal("alerts=1 deliveries=2 cutoff=2026-08-24T10:00:00.0000000Z retention=90.00:00:00", entry.Detail);
    }

    [Fact]
    public async Task SweepAsync_OldUnacknowledged_Kept()
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);
        var (a, _) = await SeedWebhooksAsync(h);
        var id = await SeedAlertAsync(h, lastSeenDaysAgo: 400, acknowledged: false, (a, WebhookDeliveryState.Delivered));

        var result = await h.Retention.SweepAsync(CancellationToken.None);

        Assert.Equal(0, result.Alerts);
        Assert.Equal([id], await AlertIdsAsync(h));
        Assert.True(await DeliveriesExistAsync(h, id));
    }

    [Theory]
    [InlineData(WebhookDeliveryState.Pending, 0)]
    [InlineData(WebhookDeliveryState.Pending, 3)]
    [InlineData(WebhookDeliveryState.Delivering, 1)]
    public async Task SweepAsync_OldAcknowledgedWithADeliveryNotFinal_KeptWithAllItsDeliveries(WebhookDeliveryState state, int attempts)
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);
        var (a, b) = await SeedWebhooksAsync(h);
        var id = await SeedAlertAsync(h, lastSeenDaysAgo: 120, acknowledged: true,
            (a, WebhookDeliveryState.Delivered), (b, state));
        await using (var db = h.Core.Db.CreateDbContext())
        {
            await db.WebhookDeliveries.Where(d => d.WebhookId == b).ExecuteUpdateAsync(u => u.SetProperty(d => d.Attempts, attempts));
        }

        var result = await h.Retention.SweepAsync(CancellationToken.None);

        Assert.Equal(0, result.Alerts);
        Assert.Equal([id], await AlertIdsAsync(h));
        Assert.Equal(2, await h.Core.CountAsync("webhook_deliveries"));
        Assert.Empty(await h.Core.AuditEntriesAsync("alert.retention"));
    }

    [Fact]
    public async Task SweepAsync_AcknowledgedWithinTheRetention_Kept()
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);
        var (a, _) = await SeedWebhooksAsync(h);
        var recent = await SeedAlertAsync(h, lastSeenDaysAgo: 89, acknowledged: true, (a, WebhookDeliveryState.Delivered));
        var atCutoff = await SeedAlertAsync(h, lastSeenDaysAgo: 90, acknowledged: true);

        var result = await h.Retention.SweepAsync(CancellationToken.None);

        Assert.Equal(0, result.Alerts);
        Assert.Equal(new[] { recent, atCutoff }.Order(), (await AlertIdsAsync(h)).Order());
        Assert.Empty(await h.Core.AuditEntriesAsync("alert.retention"));
    }

    [Fact]
    public async Task SweepAsync_CoalescedAlertRaisedLongAgoButLastSeenRecently_KeptUntilItsLastOccurrenceIsOld()
    {
        await using var h = await AlertsHarness.CreateAsync(new AlertOptions { CoalesceWindow = TimeSpan.FromDays(200) });
        h.Centre.Enqueue(Warning(h.Core.Time.GetUtcNow()));
        h.Core.Time.Advance(TimeSpan.FromDays(100));
        h.Centre.Enqueue(Warning(h.Core.Time.GetUtcNow()));
        await h.Centre.WhenWrittenAsync(CancellationToken.None);
        var alert = Assert.Single((await h.Centre.ListAsync(new AlertQuery(), CancellationToken.None)).Items).Alert;
        Assert.Equal(2, alert.OccurrenceCount);
        Assert.Equal(TimeSpan.FromDays(100), alert.LastOccurredAt - alert.RaisedAt);
        await h.Centre.AcknowledgeAsync([alert.Id], CoreTestContext.Admin, CancellationToken.None);

        var early = await h.Retention.SweepAsync(CancellationToken.None);
        h.Core.Time.Advance(TimeSpan.FromDays(91));
        var late = await h.Retention.SweepAsync(CancellationToken.None);

        Assert.Equal(0, early.Alerts);
        Assert.Equal(1, late.Alerts);
        Assert.Empty(await AlertIdsAsync(h));
    }

    [Fact]
    public async Task SweepAsync_OneTimeExpiryAlert_KeptSoTheScanDoesNotRaiseItAgain()
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);
        var id = await SeedAlertAsync(h, lastSeenDaysAgo: 300, acknowledged: true, dedupKey: "expiry:abc");

        var result = await h.Retention.SweepAsync(CancellationToken.None);

        Assert.Equal(0, result.Alerts);
        Assert.Equal([id], await AlertIdsAsync(h));
    }

    [Fact]
    public async Task SweepAsync_TestEventDeliveries_NotTouched()
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);
        var (a, _) = await SeedWebhooksAsync(h);
        await using (var db = h.Core.Db.CreateDbContext())
        {
            db.WebhookDeliveries.Add(Delivery(a, alertId: null, WebhookDeliveryState.Delivered, h.Core.Time.GetUtcNow() - TimeSpan.FromDays(300)));
            await db.SaveChangesAsync();
        }

        var result = await h.Retention.SweepAsync(CancellationToken.None);

        Assert.Equal(0, result.Deliveries);
        Assert.Equal(1, await h.Core.CountAsync("webhook_deliveries"));
    }

    [Fact]
    public async Task SweepAsync_NothingOld_WritesNoAuditEntry()
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);

        var result = await h.Retention.SweepAsync(CancellationToken.None);

        Assert.Equal(new AlertRetentionResult(0, 0, h.Core.Time.GetUtcNow() - TimeSpan.FromDays(90)), result);
        Assert.Empty(await h.Core.AuditEntriesAsync("alert.retention"));
    }

    [Fact]
    public async Task SweepAsync_MoreThanOneBatch_DeletesAllOneAuditEntryPerBatch()
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);
        var old = h.Core.Time.GetUtcNow() - TimeSpan.FromDays(95);
        await using (var db = h.Core.Db.CreateDbContext())
        {
            for (var i = 0; i < AlertRetentionSweeper.BatchSize + 5; i++)
            {
                db.Alerts.Add(NewAlert(old.AddMinutes(i), acknowledged: true, dedupKey: null));
            }

            await db.SaveChangesAsync();
        }

        var result = await h.Retention.SweepAsync(CancellationToken.None);

        Assert.Equal(AlertRetentionSweeper.BatchSize + 5, result.Alerts);
        Assert.Equal(0, await h.Core.CountAsync("alerts"));
        var entries = await h.Core.AuditEntriesAsync("alert.retention");
        Assert.Equal(2, entries.Length);
        Assert.Contains(entries, e => e.Detail!.StartsWith($"alerts={AlertRetentionSweeper.BatchSize} ", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Detail!.StartsWith("alerts=5 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SweepAsync_AuditWriteFails_ThrowsAndDeletesNothing()
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);
        var (a, _) = await SeedWebhooksAsync(h);
        var id = await SeedAlertAsync(h, lastSeenDaysAgo: 100, acknowledged: true, (a, WebhookDeliveryState.Delivered));
        await h.Core.BreakAuditWritesAsync();

        await Assert.ThrowsAsync<AuditWriteException>(() => h.Retention.SweepAsync(CancellationToken.None));

        Assert.Equal([id], await AlertIdsAsync(h));
        Assert.True(await DeliveriesExistAsync(h, id));
    }

    [Fact]
    public async Task Loop_SweepFails_LoggedAndTheNextIntervalDeletes()
    {
        await using var h = await AlertsHarness.CreateAsync(start: false);
        var id = await SeedAlertAsync(h, lastSeenDaysAgo: 100, acknowledged: true);
        await h.Core.BreakAuditWritesAsync();

        await h.Retention.StartAsync(CancellationToken.None);
        await Eventually.UntilAsync(() => h.Retention.FailedSweeps >= 1, "the sweep at start failed");
        Assert.Equal([id], await AlertIdsAsync(h));
        Assert.NotNull(h.Retention.ExecuteTask);
        Assert.False(h.Retention.ExecuteTask.IsCompleted);

        await h.Core.RepairAuditWritesAsync();
        // The loop's delay must be armed before the clock moves, or the step is lost: advance only when it is.
        await Eventually.UntilAsync(() => h.Retention.CompletedSweeps >= 1, "a later sweep completed",
            () =>
            {
                if (h.Core.Time.ActiveTimerCount > 0)
                {
                    h.Core.Time.Advance(h.Options.RetentionSweepInterval);
                }
            });

        Assert.Empty(await AlertIdsAsync(h));
        Assert.Single(await h.Core.AuditEntriesAsync("alert.retention"));
    }

    private static AlertRequest Warning(DateTimeOffset at) => new()
    {
        Type = AlertType.StatusWarning,
        Severity = AlertSeverity.Warning,
        At = at,
        Title = "bao-eu is Warning",
        KeystoreId = s_keystore,
        KeystoreName = "bao-eu",
        Coalesce = true,
    };

    private static async Task<(Guid A, Guid B)> SeedWebhooksAsync(AlertsHarness h)
    {
        var now = h.Core.Time.GetUtcNow();
        Webhook Hook(string name) => new()
        {
            Id = Guid.NewGuid(),
            Name = name,
            Url = $"https://example.com/{name}",
            Enabled = true,
            SecretVersion = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var a = Hook("a");
        var b = Hook("b");
        await using var db = h.Core.Db.CreateDbContext();
        db.Webhooks.AddRange(a, b);
        await db.SaveChangesAsync();
        return (a.Id, b.Id);
    }

    private static Task<Guid> SeedAlertAsync(
        AlertsHarness h, int lastSeenDaysAgo, bool acknowledged, params (Guid Webhook, WebhookDeliveryState State)[] deliveries) =>
        SeedAlertAsync(h, lastSeenDaysAgo, acknowledged, dedupKey: null, deliveries);

    private static async Task<Guid> SeedAlertAsync(
        AlertsHarness h, int lastSeenDaysAgo, bool acknowledged, string? dedupKey,
        params (Guid Webhook, WebhookDeliveryState State)[] deliveries)
    {
        var lastSeen = h.Core.Time.GetUtcNow() - TimeSpan.FromDays(lastSeenDaysAgo);
        var alert = NewAlert(lastSeen, acknowledged, dedupKey);
        await using var db = h.Core.Db.CreateDbContext();
        db.Alerts.Add(alert);
        foreach (var (webhook, state) in deliveries)
        {
            db.WebhookDeliveries.Add(Delivery(webhook, alert.Id, state, lastSeen));
        }

        await db.SaveChangesAsync();
        return alert.Id;
    }

    private static Alert NewAlert(DateTimeOffset lastSeen, bool acknowledged, string? dedupKey) => new()
    {
        Id = Guid.NewGuid(),
        RaisedAt = lastSeen,
        LastOccurredAt = lastSeen,
        OccurrenceCount = 1,
        Type = dedupKey is null ? AlertType.StatusCritical : AlertType.Expired,
        Severity = AlertSeverity.Critical,
        KeystoreId = s_keystore,
        KeystoreName = "bao-eu",
        Title = "bao-eu is Critical",
        DedupKey = dedupKey,
        AcknowledgedAt = acknowledged ? lastSeen.AddHours(1) : null,
        AcknowledgedById = acknowledged ? CoreTestContext.Admin.Id : null,
        AcknowledgedByName = acknowledged ? CoreTestContext.Admin.Name : null,
    };

    private static WebhookDelivery Delivery(Guid webhook, Guid? alertId, WebhookDeliveryState state, DateTimeOffset at) => new()
    {
        Id = Guid.NewGuid(),
        WebhookId = webhook,
        AlertId = alertId,
        EventId = alertId ?? Guid.NewGuid(),
        EventType = alertId is null ? WebhookPayload.Test : WebhookPayload.AlertRaised,
        Payload = "{}",
        State = state,
        Attempts = state == WebhookDeliveryState.Pending ? 0 : 1,
        CreatedAt = at,
        NextAttemptAt = state == WebhookDeliveryState.Pending ? at : null,
        LastAttemptAt = state == WebhookDeliveryState.Pending ? null : at,
        DeliveredAt = state == WebhookDeliveryState.Delivered ? at : null,
    };

    private static async Task<List<Guid>> AlertIdsAsync(AlertsHarness h)
    {
        await using var db = h.Core.Db.CreateDbContext();
        return await db.Alerts.AsNoTracking().Select(a => a.Id).ToListAsync();
    }

    private static async Task<bool> DeliveriesExistAsync(AlertsHarness h, Guid alertId)
    {
        await using var db = h.Core.Db.CreateDbContext();
        return await db.WebhookDeliveries.AnyAsync(d => d.AlertId == alertId);
    }
}
