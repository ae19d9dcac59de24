using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Pages;

/// <summary>/account/login: the static sign-in form.</summary>
public sealed class SignInPage(IPage page)
{
    public const string Path = "account/login";

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 });

    public ILocator Email => page.GetByLabel("E-mail");

    public ILocator Password => page.GetByLabel("Password", new() { Exact = true });

    public ILocator SignInButton => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" });

    public ILocator Alert => page.GetByRole(AriaRole.Alert);

    public async Task GotoAsync() => await page.GotoAsync(Path);

    public async Task ExpectShownAsync() => await Expect(Heading).ToBeVisibleAsync();

    /// <summary>Fills the form and submits it; does not wait for where the console sends the browser next.</summary>
    public async Task SignInAsync(string email, string password)
    {
        await ExpectShownAsync();
        await Email.FillAsync(email);
        await Password.FillAsync(password);
        await SignInButton.ClickAsync();
    }
}
