using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Pages;

/// <summary>/keystores: External Keystores → Plugin Configuration, every keystore with its state and last test.</summary>
/// <remarks>
/// RadzenDataGrid puts the grid role on an inner element and the aria-label ("Keystores") on its wrapper, so the grid
/// has no accessible name; it is the page's only grid.
/// </remarks>
public sealed class PluginConfigurationPage(IPage page)
{
    public const string Path = "keystores";

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Plugin Configuration", Level = 1 });

    public ILocator Grid => page.GetByRole(AriaRole.Grid);

    /// <summary>Opens the Add New Keystore wizard (a button; the navigation has a link of the same name).</summary>
    public ILocator AddNewKeystoreButton => page.GetByRole(AriaRole.Button, new() { Name = "Add New Keystore", Exact = true });

    /// <summary>The grid's single row when there is no keystore.</summary>
    public ILocator EmptyMessage => Grid.GetByRole(AriaRole.Gridcell, new() { NameRegex = new Regex("^No keystore configured yet") });

    /// <summary>The link that opens a keystore's wizard (<c>keystores/{id}/setup</c>).</summary>
    public ILocator KeystoreLink(string name) => Grid.GetByRole(AriaRole.Link, new() { Name = name, Exact = true });

    /// <summary>A keystore's row: the one that holds the keystore's link (a Has locator is resolved inside each row).</summary>
    public ILocator Row(string name) =>
        Grid.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }) });

    /// <summary>A keystore's Last test cell: "Failed (v2, 2026-01-01 12:00 UTC)" or "never".</summary>
    public ILocator LastTest(string name) =>
        Row(name).GetByRole(AriaRole.Gridcell, new() { NameRegex = new Regex(@"^(Passed|Warning|Failed|Skipped) \(v|^never$") });

    /// <summary>A keystore's Versions cell: "current 2" or "current 2, active 1".</summary>
    public ILocator Versions(string name) =>
        Row(name).GetByRole(AriaRole.Gridcell, new() { NameRegex = new Regex(@"^current \d+") });

    public async Task GotoAsync() => await page.GotoAsync(Path);

    public async Task ExpectShownAsync() => await Expect(Heading).ToBeVisibleAsync();
}
