using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenKcm.E2E.Pages;

/// <summary>/audit: the hash-chained audit log and its verification.</summary>
public sealed class AuditPage(IPage page)
{
    public const string Path = "audit";

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Audit log", Level = 1 });

    public ILocator VerifyButton => page.GetByRole(AriaRole.Button, new() { Name = "Verify chain" });

    public ILocator VerificationResult => page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Chain" });

    public ILocator ActionFilter => page.GetByLabel("Action starts with", new() { Exact = true });

    public ILocator ApplyFiltersButton => page.GetByRole(AriaRole.Button, new() { Name = "Apply filters", Exact = true });

    /// <summary>
    /// The entries' data rows whose cells include <paramref name="action"/> (RadzenDataGrid's grid role sits on an
    /// inner table without the wrapper's label; the audit page has one grid).
    /// </summary>
    public ILocator Entries(string action) => page.GetByRole(AriaRole.Grid).GetByRole(AriaRole.Row)
        .Filter(new() { Has = page.GetByRole(AriaRole.Gridcell, new() { Name = action, Exact = true }) });

    public async Task GotoAsync() => await page.GotoAsync(Path);

    public async Task ExpectShownAsync() => await Expect(Heading).ToBeVisibleAsync();
}
