using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenKcm.Console.Components.Noc;
using OpenKcm.Console.Identity;
using OpenKcm.Console.Identity.DisplayTokens;
using OpenKcm.Core;
using OpenKcm.Console.Tests.Components.Dashboard;
using OpenKcm.Core.Health;
using OpenKcm.Tests.Shared;

namespace OpenKcm.Console.Tests.Components.Noc;

/// <summary>
/// The NOC page against the real <see cref="HealthFeed"/> (driven as the monitor would) and a manual clock for its
/// one-second tick (clock and staleness).
/// </summary>
public sealed class NocPageTests : ConsoleTestContext, IAsyncLifetime
{
    private static readonly DateTimeOffset s_opened = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly HealthFeed _feed = new(TimeProvider.System, Options.Create(new HealthOptions()));
    private readonly ManualTimeProvider _time = new(s_opened);

    public NocPageTests()
    {
        Services.AddSingleton(_feed);
        Services.AddSingleton<TimeProvider>(_time);
        Services.AddSingleton(Options.Create(new HealthOptions()));
        // The page listens for revocations; an Operator's page never reads the (absent) database.
        Services.AddOpenKcmCore(o => o.DataDirectory = Path.Combine(Path.GetTempPath(), "openkcm-console-tests", "unused"));
        Services.AddLogging();
        Services.AddSingleton<DisplayTokenService>();
        SignInAs("olga@example.test", Roles.Operator);
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // The container holds Core's AuditLog (for DisplayTokenService), which only disposes asynchronously.
    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    private static string Text(AngleSharp.Dom.IElement element) =>
        string.Join(' ', element.TextContent.Split(default(char[]), StringSplitOptions.RemoveEmptyEntries));

    private static AngleSharp.Dom.IElement Tile(IRenderedComponent<NocPage> cut, string name) =>
        cut.FindAll("article.noc-tile").Single(a => a.QuerySelector("h2")!.TextContent == name);

    [Fact]
    public void NocPage_Snapshot_ShowsCompactTilesCountsAndClock()
    {
        var backup = KeystoreHealths.Healthy("vault-dr");
        _feed.Upsert(backup);
        _feed.Upsert(KeystoreHealths.Healthy("vault-eu") with
        {
            Status = KeystoreHealthStatus.Critical,
            Failover = KeystoreHealths.BackupIs(backup, failedOver: true),
        });
        _feed.Upsert(KeystoreHealths.Healthy("luna-dc1", tenant: "globex") with { Status = KeystoreHealthStatus.Warning });

        var cut = Render<NocPage>();

        Assert.Equal("3 keystores 1 healthy 1 warning 1 critical 1 on backup", Text(cut.Find("[aria-label=Summary]")));
        Assert.Equal("polite", cut.Find("[aria-label=Summary]").GetAttribute("aria-live"));
        Assert.Equal("08:00:00 UTC", cut.Find("[aria-label='Current time']").TextContent);
        var eu = Tile(cut, "vault-eu");
        Assert.Equal("vault-eu status: Critical", eu.QuerySelector("[role=status]")!.GetAttribute("aria-label"));
        Assert.Equal("Critical", Text(eu.QuerySelector("[role=status]")!));
        Assert.Equal("On backup vault-dr since 09:30:15 UTC", Text(eu.QuerySelector(".noc-badge-failover")!));
        Assert.Equal("Backup for vault-eu", Text(Tile(cut, "vault-dr").QuerySelector(".noc-badge")!));
        var luna = Tile(cut, "luna-dc1");
        Assert.Equal("globex · openbao", Text(luna.QuerySelector(".noc-tile-tenant")!));
        Assert.Equal(["Avg latency", "Ops/h"], luna.QuerySelectorAll("dl dt").Select(dt => dt.TextContent));
        Assert.Equal(["11.5 ms", "2,450"], luna.QuerySelectorAll("dl dd").Select(dd => dd.TextContent));
        Assert.Empty(cut.FindAll(".noc-stale"));
    }

    [Fact]
    public void NocPage_KeystoreTurnsCritical_UpdatesLiveAndShowsTheConditionProminently()
    {
        var vault = KeystoreHealths.Healthy("vault-eu");
        _feed.Upsert(vault);
        var cut = Render<NocPage>();
        Assert.Empty(cut.FindAll("[aria-label='Latest critical condition']"));

        _feed.Upsert(vault with
        {
            Status = KeystoreHealthStatus.Critical,
            LastError = KeystoreHealths.Error("Connection refused by 127.0.0.1:8200."),
        });

        cut.WaitForAssertion(() => Assert.Equal(
            "Critical vault-eu acme · Connection refused by 127.0.0.1:8200. · last failure 09:30:15 UTC",
            Text(cut.Find("[aria-label='Latest critical condition']"))));
        Assert.Equal("1 keystore 0 healthy 0 warning 1 critical", Text(cut.Find("[aria-label=Summary]")));
    }

    [Fact]
    public void NocPage_NoUpdateForLongerThanThreeProbeIntervals_ShowsStaleSinceUntilTheNextUpdate()
    {
        var vault = KeystoreHealths.Healthy("vault-eu");
        _feed.Upsert(vault);
        var cut = Render<NocPage>();

        _time.Advance(TimeSpan.FromSeconds(30));
        cut.WaitForAssertion(() => Assert.Equal("08:00:30 UTC", cut.Find("[aria-label='Current time']").TextContent));
        Assert.Empty(cut.FindAll(".noc-stale"));

        _time.Advance(TimeSpan.FromSeconds(5));
        cut.WaitForAssertion(() => Assert.Equal(
            "Stale since 08:00:00 UTC: no update from the health monitor for 35 s.",
            Text(cut.Find(".noc-stale"))));
        Assert.Equal("alert", cut.Find(".noc-stale").GetAttribute("role"));

        _feed.Upsert(vault with { LastProbeAt = KeystoreHealths.ProbedAt.AddSeconds(10) });
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".noc-stale")));

        _time.Advance(TimeSpan.FromSeconds(31));
        cut.WaitForAssertion(() => Assert.Equal(
            "Stale since 08:00:35 UTC: no update from the health monitor for 31 s.",
            Text(cut.Find(".noc-stale"))));
    }

    [Fact]
    public void NocPage_NoKeystores_SaysSoAndIsNeverStale()
    {
        var cut = Render<NocPage>();

        _time.Advance(TimeSpan.FromMinutes(5));

        cut.WaitForAssertion(() => Assert.Equal("08:05:00 UTC", cut.Find("[aria-label='Current time']").TextContent));
        Assert.Equal("No active keystore.", cut.Find(".noc-empty").TextContent);
        Assert.Empty(cut.FindAll(".noc-stale"));
    }

    [Fact]
    public void NocPage_ConnectionLostOverlay_IsRenderedHiddenForTheBrowserScript()
    {
        var cut = Render<NocPage>();

        var overlay = cut.Find("#noc-connection-lost");
        Assert.True(overlay.HasAttribute("hidden"));
        Assert.Equal("alert", overlay.GetAttribute("role"));
        Assert.True(cut.Find(".noc-page").HasAttribute("data-noc-page"));
    }

    [Fact]
    public async Task NocPage_Disposed_ReleasesItsFeedSubscriptionAndClock()
    {
        Render<NocPage>();
        Assert.Equal(1, _feed.SubscriberCount);
        Assert.Equal(1, _time.ActiveTimerCount);

        await DisposeComponentsAsync();

        Assert.Equal(0, _feed.SubscriberCount);
        Assert.Equal(0, _time.ActiveTimerCount);
    }
}
