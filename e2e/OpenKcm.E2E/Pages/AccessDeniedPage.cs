using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Pages;

/// <summary>
/// What a signed-in user whose roles do not allow a page sees: /account/access-denied after the server's redirect,
/// or the same message in place when the interactive router refuses a client-side navigation.
/// </summary>
public sealed class AccessDeniedPage(IPage page)
{
    public const string Path = "account/access-denied";

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Access denied", Level = 1 });

    public async Task ExpectShownAsync() => await Expect(Heading).ToBeVisibleAsync();
}
