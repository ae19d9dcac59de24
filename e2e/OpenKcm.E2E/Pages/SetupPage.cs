using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Pages;

/// <summary>/account/setup: first-run creation of the first administrator, reachable while no user exists.</summary>
public sealed class SetupPage(IPage page)
{
    public const string Path = "account/setup";

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Create the first administrator", Level = 1 });

    public ILocator Email => page.GetByLabel("E-mail");

    public ILocator Password => page.GetByLabel("Password", new() { Exact = true });

    public ILocator ConfirmPassword => page.GetByLabel("Confirm password");

    public ILocator CreateButton => page.GetByRole(AriaRole.Button, new() { Name = "Create administrator" });

    public ILocator Alert => page.GetByRole(AriaRole.Alert);

    public async Task GotoAsync() => await page.GotoAsync(Path);

    public async Task ExpectShownAsync() => await Expect(Heading).ToBeVisibleAsync();

    public async Task CreateAdministratorAsync(string email, string password)
    {
        await ExpectShownAsync();
        await Email.FillAsync(email);
        await Password.FillAsync(password);
        await ConfirmPassword.FillAsync(password);
        await CreateButton.ClickAsync();
    }
}
