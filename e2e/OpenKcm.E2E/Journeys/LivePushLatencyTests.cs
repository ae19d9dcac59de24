using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Core.Health;
using OpenKcm.Core.Plugins;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// A change published to the console's health feed reaches an open dashboard and an open NOC page over the real
/// circuit. Also measures the delay (server publish → DOM change, same machine clock) and writes it to the test
/// output; the figure is reported, not asserted (timing assertions would be flaky on a shared machine).
/// </summary>
public sealed class LivePushLatencyTests(BootstrappedConsoleFixture app, ITestOutputHelper output) : BrowserTest<BootstrappedConsoleFixture>(app)
{
    private const int Changes = 20;

    [Fact]
    public Task OpenDashboardAndNoc_FeedPublishesStatusChanges_EveryChangeArrivesWithoutReload() => RunAsync(async () =>
    {
        await App.Context.ClearCookiesAsync();
        var signIn = new SignInPage(Page);
        await signIn.GotoAsync();
        await signIn.SignInAsync(BootstrappedConsoleFixture.AdminEmail, BootstrappedConsoleFixture.AdminPassword);
        var dashboard = new DashboardPage(Page);
        await dashboard.ExpectShownAsync();
        var nocTab = await App.Context.NewPageAsync();
        var noc = new NocPage(nocTab);
        await noc.GotoAsync();
        await noc.ExpectShownAsync();

        // A keystore the monitor does not know: it never probes or removes it, so only this test changes it.
        var feed = App.Services.GetRequiredService<HealthFeed>();
        var health = new KeystoreHealth
        {
            KeystoreId = Guid.NewGuid(),
            TenantId = Guid.NewGuid(),
            TenantName = "push",
            Name = "push_probe",
            Kind = "openbao",
            Version = 1,
            Status = KeystoreHealthStatus.Unknown,
            Thresholds = new HealthThresholds { WarningLatency = TimeSpan.FromMilliseconds(250) },
            LastLatency = null,
            AverageLatency = null,
            P95Latency = null,
            LastProbeAt = null,
            LastError = null,
            ConsecutiveFailures = 0,
            SuccessCount = 0,
            FailureCount = 0,
            OperationCount = 0,
        };
        feed.Upsert(health);
        await Expect(dashboard.StatusOf("push_probe")).ToHaveAttributeAsync("aria-label", "push_probe status: Unknown");
        await Expect(noc.StatusOf("push_probe")).ToHaveAttributeAsync("aria-label", "push_probe status: Unknown");
        foreach (var page in new[] { Page, nocTab })
        {
            // Records when (epoch ms) each page first shows a status label: the observer runs in the browser.
            await page.EvaluateAsync(@"() => {
                window.__noReloadMarker = 1;
                window.__seen = [];
                new MutationObserver(() => {
                    const badge = document.querySelector('[aria-label^=""push_probe status:""]');
                    const label = badge && badge.getAttribute('aria-label');
                    if (label && (window.__seen.length === 0 || window.__seen[window.__seen.length - 1].label !== label)) {
                        window.__seen.push({ label, at: Date.now() });
                    }
                }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
            }");
        }

        var dashboardDelays = new List<double>();
        var nocDelays = new List<double>();
        try
        {
            for (var i = 0; i < Changes; i++)
            {
                var status = i % 2 == 0 ? KeystoreHealthStatus.Critical : KeystoreHealthStatus.Healthy;
                var label = $"push_probe status: {status}";
                var publishedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                feed.Upsert(health with { Status = status, OperationCount = i + 1 });
                await Expect(dashboard.StatusOf("push_probe")).ToHaveAttributeAsync("aria-label", label);
                await Expect(noc.StatusOf("push_probe")).ToHaveAttributeAsync("aria-label", label);
                dashboardDelays.Add(await SeenAtAsync(Page, label) - publishedAt);
                nocDelays.Add(await SeenAtAsync(nocTab, label) - publishedAt);
            }

            Assert.Equal(1, await Page.EvaluateAsync<int?>("window.__noReloadMarker"));
            Assert.Equal(1, await nocTab.EvaluateAsync<int?>("window.__noReloadMarker"));
        }
        finally
        {
            feed.Remove(health.KeystoreId);
            await nocTab.CloseAsync();
        }

        output.WriteLine($"publish → DOM over {Changes} changes: dashboard {Describe(dashboardDelays)}; NOC {Describe(nocDelays)}");
        AssertNoBrowserErrors();
    });

    private static async Task<double> SeenAtAsync(Microsoft.Playwright.IPage page, string label) =>
        await page.EvaluateAsync<double>("label => window.__seen.filter(s => s.label === label).at(-1).at", label);

    private static string Describe(List<double> delays)
    {
        var sorted = delays.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return $"p50 {At(0.5):0} ms, p95 {At(0.95):0} ms, max {sorted[^1]:0} ms";
    }
}
