using Bunit;
using OpenKcm.Console.Components.Layout;
using OpenKcm.Console.Identity;

namespace OpenKcm.Console.Tests.Components.Layout;

public sealed class NavMenuTests : ConsoleTestContext
{
    private string[] LinkTexts(IRenderedComponent<NavMenu> cut) =>
        [.. cut.FindAll("nav[aria-label=Main] a").Select(a => a.TextContent.Trim())];

    [Fact]
    public void NavMenu_Administrator_ShowsEverySection()
    {
        SignInAs("ada@example.test", Roles.Administrator);

        var cut = Render<NavMenu>();

        Assert.Equal(["Dashboard", "Alerts", "Plugin Configuration", "Add New Keystore", "Audit log", "Users", "Tenants", "Webhooks", "Display tokens"], LinkTexts(cut));
    }

    [Fact]
    public void NavMenu_Operator_ShowsOnlyTheDashboard()
    {
        SignInAs("olga@example.test", Roles.Operator);

        var cut = Render<NavMenu>();

        Assert.Equal(["Dashboard", "Alerts"], LinkTexts(cut));
    }

    [Fact]
    public void NavMenu_KeyAdministrator_ShowsKeystoresButNotAuditOrAdministration()
    {
        SignInAs("kim@example.test", Roles.KeyAdministrator);

        var cut = Render<NavMenu>();

        Assert.Equal(["Dashboard", "Alerts", "Plugin Configuration", "Add New Keystore"], LinkTexts(cut));
    }

    [Fact]
    public void NavMenu_Auditor_ShowsTheAuditLogReadOnly()
    {
        SignInAs("aud@example.test", Roles.Auditor);

        var cut = Render<NavMenu>();

        Assert.Equal(["Dashboard", "Alerts", "Audit log"], LinkTexts(cut));
    }

    [Fact]
    public void NavMenu_Anonymous_ShowsNoLinks()
    {
        var cut = Render<NavMenu>();

        Assert.Empty(LinkTexts(cut));
    }
}
