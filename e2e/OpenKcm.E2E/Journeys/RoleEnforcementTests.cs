using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Pages;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// Roles are enforced by the server, not only by hiding links: a user created by the administrator signs in in a
/// browser of their own and types the addresses of pages their role does not allow.
/// </summary>
/// <remarks>
/// The administrator works in the class's context (<see cref="BrowserTest{TFixture}.Page"/>); each new user gets a fresh
/// context, so no cookie of the administrator can help them.
/// </remarks>
public sealed class RoleEnforcementTests(BootstrappedConsoleFixture app) : BrowserTest<BootstrappedConsoleFixture>(app)
{
    private const string UserPassword = "Role-Journey-2026";

    [Fact]
    public Task Operator_OpensPagesBeyondTheDashboardByAddress_IsDeniedByTheServer() => RunAsync(async () =>
    {
        const string Email = "operator@openkcm.test";
        await CreateUserAsync(Email, "Operator");

        await AsNewUserAsync(Email, async (page, shell) =>
        {
            await Expect(shell.Navigation.GetByRole(AriaRole.Link)).ToHaveTextAsync(["Dashboard", "Alerts"]);
            foreach (var path in new[] { "keystores/new", "keystores", "audit", "admin/users", "admin/webhooks" })
            {
                await ExpectDeniedAsync(page, path);
            }
        });
    });

    [Fact]
    public Task Auditor_OpensTheAuditLogAndTheWizardByAddress_SeesTheLogButIsDeniedTheWizard() => RunAsync(async () =>
    {
        const string Email = "auditor@openkcm.test";
        await CreateUserAsync(Email, "Auditor");

        await AsNewUserAsync(Email, async (page, shell) =>
        {
            await Expect(shell.Navigation.GetByRole(AriaRole.Link)).ToHaveTextAsync(["Dashboard", "Alerts", "Audit log"]);
            var audit = new AuditPage(page);
            await audit.GotoAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/audit$"));
            await audit.ExpectShownAsync();
            await ExpectDeniedAsync(page, "keystores/new");
        });
    });

    /// <summary>The administrator signs in and creates the user on /admin/users.</summary>
    private async Task CreateUserAsync(string email, string role)
    {
        await App.Context.ClearCookiesAsync();
        var signIn = new SignInPage(Page);
        await signIn.GotoAsync();
        await signIn.SignInAsync(BootstrappedConsoleFixture.AdminEmail, BootstrappedConsoleFixture.AdminPassword);
        await new DashboardPage(Page).ExpectShownAsync();

        var users = new UsersPage(Page);
        await new ConsoleShell(Page).NavLink("Users").ClickAsync();
        await users.CreateUserAsync(email, UserPassword, role);
        await Expect(users.Message).ToHaveTextAsync($"Created {email}.");
        AssertNoBrowserErrors();
    }

    /// <summary>
    /// Signs <paramref name="email"/> in in a new browser context, checks the dashboard is theirs, then runs
    /// <paramref name="steps"/>; on failure that context's page is saved next to the test's other artifacts.
    /// </summary>
    private async Task AsNewUserAsync(string email, Func<IPage, ConsoleShell, Task> steps, [CallerMemberName] string testName = "")
    {
        await using var context = await App.Context.Browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseAddress.ToString(),
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout((float)E2ETimeouts.Action.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)E2ETimeouts.Navigation.TotalMilliseconds);
        var page = await context.NewPageAsync();
        try
        {
            var shell = new ConsoleShell(page);
            var signIn = new SignInPage(page);
            await signIn.GotoAsync();
            await signIn.SignInAsync(email, UserPassword);
            await new DashboardPage(page).ExpectShownAsync();
            await shell.ExpectSignedInAsAsync(email);
            await steps(page, shell);
        }
        catch (Exception failure)
        {
            await FailureArtifacts.SaveAsync($"{nameof(RoleEnforcementTests)}.{testName}.{email}", page, failure, [], App.ServerLogs);
            throw;
        }
    }

    /// <summary>A full page load of <paramref name="path"/>: the server answers with the access-denied page.</summary>
    private static async Task ExpectDeniedAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await Expect(page).ToHaveURLAsync(new Regex($"/{AccessDeniedPage.Path}\\?ReturnUrl=%2F{Regex.Escape(Uri.EscapeDataString(path))}$", RegexOptions.IgnoreCase));
        await new AccessDeniedPage(page).ExpectShownAsync();
    }
}
