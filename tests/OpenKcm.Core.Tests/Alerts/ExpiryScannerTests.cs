using Microsoft.Extensions.Logging.Abstractions;
using OpenKcm.Core.Alerts;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.Health;
using OpenKcm.Core.Tests.Operations;

namespace OpenKcm.Core.Tests.Alerts;

public sealed class ExpiryScannerTests
{
    [Fact]
    public async Task ScanAsync_ItemApproachingExpiry_RaisesEachThresholdOnceThenExpired()
    {
        await using var h = await AlertsHarness.CreateAsync();
        var notAfter = h.Core.Time.GetUtcNow() + TimeSpan.FromDays(40);
        var (scanner, _) = Scanner(h, _ => [new ExpiryItem("client certificate", notAfter, "CN=console")]);

        var counts = new List<long>();
        foreach (var daysLeft in new[] { 40, 29, 20, 6, 1, 0, -3 })
        {
            h.Core.Time.Advance(notAfter - h.Core.Time.GetUtcNow() - TimeSpan.FromDays(daysLeft));
            await scanner.ScanAsync(CancellationToken.None);
            await h.Centre.WhenWrittenAsync(CancellationToken.None);
            counts.Add(await h.Core.CountAsync("alerts"));
        }

        Assert.Equal([0, 1, 1, 2, 2, 3, 3], counts);
        var items = (await h.Centre.ListAsync(new AlertQuery(), CancellationToken.None)).Items.Select(i => i.Alert).ToList();
        Assert.Equal([AlertType.Expired, AlertType.ExpirySoon, AlertType.ExpirySoon], items.Select(a => a.Type));
        Assert.Equal(AlertSeverity.Critical, items[0].Severity);
        Assert.Equal("ks-luna: client certificate expires in 6 day(s)", items[1].Title);
        Assert.Equal("ks-luna: client certificate expires in 29 day(s)", items[2].Title);
        Assert.Contains("CN=console", items[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanAsync_FirstSeenInsideTheTightestThreshold_RaisesOnlyThatOne_EvenAfterRestart()
    {
        await using var h = await AlertsHarness.CreateAsync();
        var notAfter = h.Core.Time.GetUtcNow() + TimeSpan.FromDays(5);
        var (scanner, _) = Scanner(h, _ => [new ExpiryItem("CA certificate", notAfter)]);
        await scanner.ScanAsync(CancellationToken.None);
        await h.Centre.WhenWrittenAsync(CancellationToken.None);

        await h.RestartAsync();
        var (again, _) = Scanner(h, _ => [new ExpiryItem("CA certificate", notAfter)]);
        var requests = await again.ScanAsync(CancellationToken.None);
        await h.Centre.WhenWrittenAsync(CancellationToken.None);

        Assert.Single(requests);
        Assert.Equal(1, await h.Core.CountAsync("alerts"));
        Assert.Equal(1, h.Centre.UnacknowledgedCount);
    }

    [Fact]
    public async Task ScanAsync_RenewedCertificate_IsANewItem()
    {
        await using var h = await AlertsHarness.CreateAsync();
        var notAfter = h.Core.Time.GetUtcNow() + TimeSpan.FromDays(5);
        var (scanner, plugin) = Scanner(h, _ => [new ExpiryItem("CA certificate", notAfter)]);
        await scanner.ScanAsync(CancellationToken.None);

        plugin.Items = _ => [new ExpiryItem("CA certificate", notAfter + TimeSpan.FromDays(1))];
        await scanner.ScanAsync(CancellationToken.None);
        await h.Centre.WhenWrittenAsync(CancellationToken.None);

        Assert.Equal(2, await h.Core.CountAsync("alerts"));
    }

    [Fact]
    public async Task ScanAsync_PluginThrows_OtherKeystoresAreStillScanned()
    {
        await using var h = await AlertsHarness.CreateAsync();
        var notAfter = h.Core.Time.GetUtcNow() + TimeSpan.FromDays(1);
        var (scanner, _) = Scanner(h, s => s.Get(TestKeystores.NameField) == "ks-luna"
            ? throw new InvalidOperationException("broken")
            : [new ExpiryItem("CA certificate", notAfter)], extra: "ks-bao");

        var requests = await scanner.ScanAsync(CancellationToken.None);

        Assert.Equal("ks-bao", Assert.Single(requests).KeystoreName);
    }

    [Fact]
    public async Task Running_KeystoreActivated_ScannedAtOnceWithoutWaitingForTheInterval()
    {
        await using var h = await AlertsHarness.CreateAsync();
        var notAfter = h.Core.Time.GetUtcNow() + TimeSpan.FromDays(3);
        var plugin = new ExpiringPlugin { Items = _ => [new ExpiryItem("CA certificate", notAfter)] };
        var catalog = new FakeKeystoreCatalog();
        using var scanner = new ExpiryScanner(catalog, new PluginRegistry([plugin]), h.Centre, h.Core.Time, h.Options,
            NullLogger<ExpiryScanner>.Instance);
        await scanner.StartAsync(CancellationToken.None);
        await Eventually.UntilAsync(() => catalog.Reads >= 1, "the start-up scan ran");

        catalog.SetActive(TestKeystores.Create("ks-new", kind: ExpiringPlugin.Kind));

        await Eventually.UntilAsync(() => h.Centre.UnacknowledgedCount == 1, "the activated keystore's expiry is raised");
        await scanner.StopAsync(CancellationToken.None);
    }

    private static (ExpiryScanner Scanner, ExpiringPlugin Plugin) Scanner(
        AlertsHarness h, Func<KeystoreSettings, IReadOnlyList<ExpiryItem>> items, string? extra = null)
    {
        var plugin = new ExpiringPlugin { Items = items };
        var catalog = new FakeKeystoreCatalog();
        var active = new List<ActiveKeystore>
        {
            TestKeystores.Create("ks-luna", id: Guid.Parse("00000000-0000-4000-8000-00000000a001"), kind: ExpiringPlugin.Kind),
        };
        if (extra is not null)
        {
            active.Add(TestKeystores.Create(extra, kind: ExpiringPlugin.Kind));
        }

        catalog.SetActive([.. active]);
        var scanner = new ExpiryScanner(catalog, new PluginRegistry([plugin]), h.Centre, h.Core.Time, h.Options,
            NullLogger<ExpiryScanner>.Instance);
        return (scanner, plugin);
    }
}
