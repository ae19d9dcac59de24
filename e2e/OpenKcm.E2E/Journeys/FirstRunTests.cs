using System.Text.RegularExpressions;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

/// <summary>A fresh install: empty data directory, no user yet.</summary>
public sealed class FirstRunTests(ConsoleAppFixture app) : BrowserTest(app)
{
    private const string Email = "first.admin@openkcm.test";
    private const string Password = "First-Admin-2026";

    [Fact]
    public Task AnonymousVisitor_FreshInstall_IsSentToSetupAndBecomesTheFirstAdministrator() => RunAsync(async () =>
    {
        var setup = new SetupPage(Page);
        var shell = new ConsoleShell(Page);

        await Page.GotoAsync("/");

        // / requires a user → sign-in page → no user exists yet → first-run setup.
        await Expect(Page).ToHaveURLAsync(new Regex("/account/setup$"));
        await setup.CreateAdministratorAsync(Email, Password);

        await new DashboardPage(Page).ExpectShownAsync();
        await shell.ExpectSignedInAsAsync(Email);
        await Expect(shell.NavLink("Users")).ToBeVisibleAsync();

        // Setup is a one-time door: once an administrator exists it refuses, even to a signed-in administrator.
        await setup.GotoAsync();
        await Expect(setup.Alert).ToContainTextAsync("First-run setup is complete");
        await Expect(setup.CreateButton).ToHaveCountAsync(0);
    });
}
