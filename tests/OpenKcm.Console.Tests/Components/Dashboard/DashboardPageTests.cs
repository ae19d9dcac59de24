using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenKcm.Console.Components.Dashboard;
using OpenKcm.Console.Identity;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Tests.Components.Dashboard;

/// <summary>The dashboard against the real <see cref="HealthFeed"/>, which the test drives as the monitor would.</summary>
public sealed class DashboardPageTests : ConsoleTestContext
{
    private readonly HealthFeed _feed = new(TimeProvider.System, Options.Create(new HealthOptions()));

    public DashboardPageTests()
    {
        Services.AddSingleton(_feed);
        Services.AddSingleton(TimeProvider.System);
    }

    private static string Summary(IRenderedComponent<DashboardPage> cut) =>
        string.Join(' ', cut.Find("p.hint[role=status]").TextContent.Split(default(char[]), StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void DashboardPage_NoActiveKeystore_InvitesKeyAdministratorsToAddOne()
    {
        SignInAs("kim@example.test", Roles.KeyAdministrator);

        var cut = Render<DashboardPage>();

        Assert.Equal("0 active keystores: 0 healthy, 0 warning, 0 critical.", Summary(cut));
        Assert.Equal("keystores/new", cut.Find(".rz-alert a").GetAttribute("href"));
    }

    [Fact]
    public void DashboardPage_NoActiveKeystore_OperatorGetsNoAddLink()
    {
        SignInAs("olga@example.test", Roles.Operator);

        var cut = Render<DashboardPage>();

        Assert.Contains("No keystore is active yet.", cut.Find(".rz-alert").TextContent);
        Assert.Empty(cut.FindAll(".rz-alert a"));
    }

    [Fact]
    public void DashboardPage_SnapshotAtSubscribe_ShowsTilesOrderedByTenantThenName()
    {
        _feed.Upsert(KeystoreHealths.Healthy("zeta", tenant: "acme"));
        _feed.Upsert(KeystoreHealths.Healthy("alpha", tenant: "globex"));
        _feed.Upsert(KeystoreHealths.Healthy("beta", tenant: "acme"));
        SignInAs("olga@example.test", Roles.Operator);

        var cut = Render<DashboardPage>();

        Assert.Equal(["beta", "zeta", "alpha"], cut.FindAll(".keystore-tile h2").Select(h => h.TextContent));
        Assert.Equal("3 active keystores: 3 healthy, 0 warning, 0 critical.", Summary(cut));
    }

    [Fact]
    public void DashboardPage_FeedChangesAfterRender_UpdatesLive()
    {
        var vault = KeystoreHealths.Healthy("vault-eu");
        SignInAs("olga@example.test", Roles.Operator);
        var cut = Render<DashboardPage>();

        _feed.Upsert(vault);
        cut.WaitForAssertion(() => Assert.Equal("vault-eu status: Healthy", cut.Find(".status-badge").GetAttribute("aria-label")));

        _feed.Upsert(vault with { Status = KeystoreHealthStatus.Critical, ConsecutiveFailures = 3 });
        cut.WaitForAssertion(() => Assert.Equal("1 active keystore: 0 healthy, 0 warning, 1 critical.", Summary(cut)));
        Assert.Equal("Critical", cut.Find(".status-badge").TextContent.Trim());

        _feed.Remove(vault.KeystoreId);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".keystore-tile")));
    }

    [Fact]
    public async Task DashboardPage_Disposed_ReleasesItsFeedSubscription()
    {
        SignInAs("olga@example.test", Roles.Operator);
        Render<DashboardPage>();
        Assert.Equal(1, _feed.SubscriberCount);

        await DisposeComponentsAsync();

        Assert.Equal(0, _feed.SubscriberCount);
    }

    [Fact]
    public void DashboardPage_WindowChosen_TilesShowThatWindow()
    {
        _feed.Upsert(KeystoreHealths.Healthy("vault-eu"));
        SignInAs("olga@example.test", Roles.Operator);
        var cut = Render<DashboardPage>();
        Assert.Equal("vault-eu metrics over 1 h", cut.Find("dl.tile-metrics").GetAttribute("aria-label"));

        cut.FindAll(".dashboard-controls select")[0].Change("OneMinute");

        Assert.Equal("vault-eu metrics over 1 min", cut.Find("dl.tile-metrics").GetAttribute("aria-label"));
    }

    [Fact]
    public void DashboardPage_TenantAndStatusFilters_HideOtherTilesButKeepTheSummaryWhole()
    {
        _feed.Upsert(KeystoreHealths.Healthy("vault-eu", tenant: "acme"));
        _feed.Upsert(KeystoreHealths.Healthy("luna-dc1", tenant: "globex") with { Status = KeystoreHealthStatus.Critical });
        _feed.Upsert(KeystoreHealths.Healthy("aws-kms", tenant: "globex"));
        SignInAs("olga@example.test", Roles.Operator);
        var cut = Render<DashboardPage>();

        cut.FindAll(".dashboard-controls select")[1].Change("globex");
        Assert.Equal(["aws-kms", "luna-dc1"], cut.FindAll(".keystore-tile h2").Select(h => h.TextContent));

        cut.FindAll(".dashboard-controls select")[2].Change("Critical");
        Assert.Equal(["luna-dc1"], cut.FindAll(".keystore-tile h2").Select(h => h.TextContent));
        Assert.Equal("3 active keystores: 2 healthy, 0 warning, 1 critical.", Summary(cut));

        cut.FindAll(".dashboard-controls select")[1].Change("");
        cut.FindAll(".dashboard-controls select")[2].Change("");
        Assert.Equal(3, cut.FindAll(".keystore-tile").Count);
    }

    [Fact]
    public void DashboardPage_PrimaryFailsOver_BothTilesAndTheSummarySayItLive()
    {
        var backup = KeystoreHealths.Healthy("vault-dr");
        var primary = KeystoreHealths.Healthy("vault-eu") with { Failover = KeystoreHealths.BackupIs(backup) };
        _feed.Upsert(backup);
        _feed.Upsert(primary);
        SignInAs("olga@example.test", Roles.Operator);
        var cut = Render<DashboardPage>();
        Assert.Contains(cut.FindAll(".tile-failover"), f => f.TextContent.Trim() == "Backup for vault-eu");

        _feed.Upsert(primary with { Status = KeystoreHealthStatus.Critical, Failover = KeystoreHealths.BackupIs(backup, failedOver: true) });

        cut.WaitForAssertion(() => Assert.Equal(
            "2 active keystores: 1 healthy, 0 warning, 1 critical; 1 serving from backup.", Summary(cut)));
        Assert.Contains(cut.FindAll(".tile-failover"), f => f.TextContent.Trim() == "Backup for vault-eu · now serving vault-eu");
        Assert.Single(cut.FindAll(".tile-failover-active"));
    }

    [Fact]
    public void DashboardPage_WithKeystores_LinksTheNocDisplayInANewTab()
    {
        _feed.Upsert(KeystoreHealths.Healthy("vault-eu"));
        SignInAs("olga@example.test", Roles.Operator);

        var cut = Render<DashboardPage>();

        var link = cut.Find("a.noc-link");
        Assert.Equal("noc", link.GetAttribute("href"));
        Assert.Equal("_blank", link.GetAttribute("target"));
    }
}
