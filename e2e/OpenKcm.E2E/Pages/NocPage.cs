using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Pages;

/// <summary>/noc : the NOC wall display (dark, no navigation, no controls).</summary>
public sealed class NocPage(IPage page)
{
    public const string Path = "noc";

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Keystore health", Level = 1 });

    /// <summary>The counts in the header (a polite live region).</summary>
    public ILocator Summary => page.GetByRole(AriaRole.Status, new() { Name = "Summary" });

    /// <summary>A keystore tile's status text, by keystore name ("vault-eu status: Critical").</summary>
    public ILocator StatusOf(string keystoreName) =>
        page.GetByRole(AriaRole.Status, new() { Name = $"{keystoreName} status:" });

    public ILocator Tile(string keystoreName) =>
        page.GetByRole(AriaRole.Article, new() { Name = keystoreName, Exact = true });

    /// <summary>The banner naming the newest critical keystore.</summary>
    public ILocator LatestCritical => page.GetByRole(AriaRole.Alert, new() { Name = "Latest critical condition" });

    /// <summary>What app.js shows over the page while the connection to the console is lost.</summary>
    public ILocator ConnectionLost => page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "the connection to the console was lost" });

    public async Task GotoAsync() => await page.GotoAsync(Path);

    public async Task ExpectShownAsync() => await Expect(Heading).ToBeVisibleAsync();
}
