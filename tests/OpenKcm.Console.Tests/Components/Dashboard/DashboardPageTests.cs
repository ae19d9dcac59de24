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
}
