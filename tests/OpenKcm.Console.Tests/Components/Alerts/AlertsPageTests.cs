using System.Reflection;
using AngleSharp.Dom;
using Bunit;
using OpenKcm.Console.Components.Alerts;
using OpenKcm.Console.Components.Layout;
using OpenKcm.Console.Identity;
using OpenKcm.Core.Alerts;

namespace OpenKcm.Console.Tests.Components.Alerts;

public sealed class AlertsPageTests : AlertsTestContext
{
    private static IReadOnlyList<IElement> Rows(IRenderedComponent<AlertsPage> cut) => cut.FindAll("table[aria-label=Alerts] tbody tr");

    [Fact]
    public async Task AlertsPage_Alerts_ListedNewestFirstWithTheirDeliveryState()
    {
        await Webhooks.CreateAsync(new WebhookDraft { Name = "ops", Url = "https://hooks.example.com/a" }, Admin, CancellationToken.None);
        await RaiseAsync("first");
        await RaiseAsync("second", AlertSeverity.Warning, AlertType.StatusWarning);
        SignIn("olga@example.test", Roles.Operator);

        var cut = Render<AlertsPage>();

        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count));
        Assert.Contains("second", Rows(cut)[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("first", Rows(cut)[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("ops: Pending", Rows(cut)[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("2 unacknowledged", cut.Find("[role=status]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertsPage_OperatorAcknowledgesOne_ShowsWhoAndTheCountDrops()
    {
        await RaiseAsync("bao-eu is Critical");
        SignIn("olga@example.test", Roles.Operator);
        var cut = Render<AlertsPage>();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));

        await cut.Find("button[aria-label='Acknowledge bao-eu is Critical']").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("olga@example.test", Rows(cut)[0].TextContent, StringComparison.Ordinal));
        Assert.Contains("0 unacknowledged", cut.Find("p[role=status]").TextContent, StringComparison.Ordinal);
        var alert = Assert.Single((await Alerts.ListAsync(new AlertQuery(), CancellationToken.None)).Items).Alert;
        Assert.Equal(UserId, alert.AcknowledgedById);
    }

    [Fact]
    public async Task AlertsPage_Auditor_ReadsButCannotAcknowledge()
    {
        await RaiseAsync("bao-eu is Critical");
        SignIn("aud@example.test", Roles.Auditor);

        var cut = Render<AlertsPage>();

        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Contains("Acknowledge", StringComparison.Ordinal));
        Assert.Contains("Open", Rows(cut)[0].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertsPage_AcknowledgeAllVisible_AcknowledgesOnlyWhatTheFilterShows()
    {
        await RaiseAsync("critical one");
        await RaiseAsync("warning one", AlertSeverity.Warning, AlertType.StatusWarning);
        SignIn("kim@example.test", Roles.KeyAdministrator);
        var cut = Render<AlertsPage>();
        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count));

        cut.Find("#alert-severity").Change("Critical");
        await cut.Find("form.filter-bar").SubmitAsync();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));
        await cut.FindAll("button").Single(b => b.TextContent.Contains("Acknowledge all visible (1)", StringComparison.Ordinal)).ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("1 alert acknowledged.", cut.Markup, StringComparison.Ordinal));
        var open = await Alerts.ListAsync(new AlertQuery { Acknowledged = false }, CancellationToken.None);
        Assert.Equal("warning one", Assert.Single(open.Items).Alert.Title);
    }

    [Fact]
    public async Task AlertsPage_AlertRaisedWhileOpen_AppearsWithoutReload()
    {
        SignIn("olga@example.test", Roles.Operator);
        var cut = Render<AlertsPage>();
        cut.WaitForAssertion(() => Assert.Contains("No alerts match.", cut.Markup, StringComparison.Ordinal));

        await RaiseAsync("bao-eu failed over to bao-eu-backup", type: AlertType.Failover);

        cut.WaitForAssertion(() => Assert.Contains("bao-eu failed over to bao-eu-backup", Assert.Single(Rows(cut)).TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AlertsPage_Disposed_UnsubscribesFromTheAlertCentre()
    {
        SignIn("olga@example.test", Roles.Operator);
        Render<AlertsPage>();
        Assert.Equal(1, Subscribers());

        await DisposeComponentsAsync();

        Assert.Equal(0, Subscribers());
        await RaiseAsync("after dispose");
    }

    [Fact]
    public async Task AlertCountBadge_NewAlert_UpdatesLiveAndAnnouncesTheCount()
    {
        SignIn("olga@example.test", Roles.Operator);
        var cut = Render<AlertCountBadge>();
        Assert.Equal("", cut.Find("[role=status]").TextContent);

        await RaiseAsync("one");
        await RaiseAsync("two");

        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[role=status]").TextContent));
        Assert.Equal("2 unacknowledged alerts", cut.Find("[role=status]").GetAttribute("aria-label"));
    }

    [Fact]
    public async Task AlertsPage_RefreshFails_ShowsTheErrorAndKeepsRefreshingOnceTheDatabaseIsBack()
    {
        await RaiseAsync("first");
        SignIn("olga@example.test", Roles.Operator);
        var cut = Render<AlertsPage>();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));

        // The alerts table goes away for a while, as a database failure would make every read fail.
        await ExecuteSqlAsync("ALTER TABLE alerts RENAME TO alerts_away;");
        FireChanged();

        cut.WaitForAssertion(() =>
        {
            var error = cut.Find("#alerts-refresh-error");
            Assert.Equal("alert", error.GetAttribute("role"));
            Assert.StartsWith("Could not refresh the alerts: ", error.TextContent, StringComparison.Ordinal);
            Assert.EndsWith("; retrying.", error.TextContent, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10));
        Assert.Single(Rows(cut)); // What was shown stays.

        await ExecuteSqlAsync("ALTER TABLE alerts_away RENAME TO alerts;");
        await RaiseAsync("second");

        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count), TimeSpan.FromSeconds(30));
        Assert.Empty(cut.FindAll("#alerts-refresh-error"));
    }

    [Fact]
    public void AlertsPage_RetryDelay_DoublesFromOneSecondUpToTheCap()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), AlertsPage.RetryDelay(1));
        Assert.Equal(TimeSpan.FromSeconds(2), AlertsPage.RetryDelay(2));
        Assert.Equal(TimeSpan.FromSeconds(16), AlertsPage.RetryDelay(5));
        Assert.Equal(AlertsPage.MaxRetryDelay, AlertsPage.RetryDelay(6));
        Assert.Equal(AlertsPage.MaxRetryDelay, AlertsPage.RetryDelay(1000));
    }

    private void FireChanged()
    {
        var field = typeof(AlertCentre).GetField(nameof(AlertCentre.Changed), BindingFlags.Instance | BindingFlags.NonPublic)!;
        ((Action?)field.GetValue(Alerts))?.Invoke();
    }

    private int Subscribers()
    {
        var field = typeof(AlertCentre).GetField(nameof(AlertCentre.Changed), BindingFlags.Instance | BindingFlags.NonPublic)!;
        return (field.GetValue(Alerts) as Delegate)?.GetInvocationList().Length ?? 0;
    }
}
