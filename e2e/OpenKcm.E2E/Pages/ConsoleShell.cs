using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Pages;

/// <summary>What every signed-in page has (MainLayout): the header with the user and Sign out, and the main navigation.</summary>
/// <remarks>
/// RadzenHeader renders a plain div, not a banner landmark, so the header's contents are found on the page as a
/// whole; the user's name has no role or label and is found by its exact text.
/// </remarks>
public sealed class ConsoleShell(IPage page)
{
    public ILocator Navigation => page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });

    public ILocator SignOutButton => page.GetByRole(AriaRole.Button, new() { Name = "Sign out" });

    public ILocator NavLink(string name) => Navigation.GetByRole(AriaRole.Link, new() { Name = name, Exact = true });

    public async Task ExpectSignedInAsAsync(string userName)
    {
        await Expect(page.GetByText(userName, new() { Exact = true })).ToBeVisibleAsync();
        await Expect(SignOutButton).ToBeVisibleAsync();
    }

    public async Task SignOutAsync() => await SignOutButton.ClickAsync();
}
