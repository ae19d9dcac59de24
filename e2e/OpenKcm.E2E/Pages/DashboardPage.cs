using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Pages;

/// <summary>/ : the live keystore status dashboard.</summary>
public sealed class DashboardPage(IPage page)
{
    public const string Path = "";

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "External Keystore Status", Level = 1 });

    /// <summary>The "N active keystores: ..." line (a polite live region).</summary>
    public ILocator Summary => page.GetByRole(AriaRole.Status).Filter(new() { HasText = "active keystore" });

    /// <summary>A keystore tile's status badge, by keystore name ("vault-eu status: Healthy").</summary>
    public ILocator StatusOf(string keystoreName) =>
        page.GetByRole(AriaRole.Status, new() { Name = $"{keystoreName} status:" });

    /// <summary>A keystore's tile (an article labelled by the keystore's name): status, metrics and the last error.</summary>
    public ILocator Tile(string keystoreName) =>
        page.GetByRole(AriaRole.Article, new() { Name = keystoreName, Exact = true });

    public async Task GotoAsync() => await page.GotoAsync(Path);

    /// <summary>Prerendering is off, so the heading appears only once the circuit is up and the page rendered.</summary>
    public async Task ExpectShownAsync() => await Expect(Heading).ToBeVisibleAsync();
}
