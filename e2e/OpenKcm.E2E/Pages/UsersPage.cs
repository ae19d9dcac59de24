using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Pages;

/// <summary>/admin/users: the user list (roles, lock) and the Create a user form; administrators only.</summary>
public sealed class UsersPage(IPage page)
{
    public const string Path = "admin/users";

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Users", Level = 1 });

    public ILocator Email => page.GetByLabel("E-mail", new() { Exact = true });

    public ILocator InitialPassword => page.GetByLabel("Initial password", new() { Exact = true });

    /// <summary>A role of the new user, by role name: the checkbox is labelled "Operator — Dashboard, read-only".</summary>
    public ILocator NewUserRole(string role) =>
        page.GetByRole(AriaRole.Checkbox, new() { NameRegex = new Regex($"^{Regex.Escape(role)} — ") });

    public ILocator CreateButton => page.GetByRole(AriaRole.Button, new() { Name = "Create user", Exact = true });

    /// <summary>The outcome of the last action ("Created x@y." as a status, a refusal as an alert).</summary>
    public ILocator Message => page.GetByRole(AriaRole.Status).Or(page.GetByRole(AriaRole.Alert));

    public async Task GotoAsync() => await page.GotoAsync(Path);

    public async Task ExpectShownAsync() => await Expect(Heading).ToBeVisibleAsync();

    /// <summary>Fills the Create a user form and submits it; does not wait for the outcome.</summary>
    public async Task CreateUserAsync(string email, string password, params string[] roles)
    {
        await ExpectShownAsync();
        await Email.FillAsync(email);
        await InitialPassword.FillAsync(password);
        foreach (var role in roles)
        {
            await NewUserRole(role).CheckAsync();
        }

        await CreateButton.ClickAsync();
    }
}
