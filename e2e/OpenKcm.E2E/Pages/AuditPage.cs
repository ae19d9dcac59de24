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

    public async Task GotoAsync() => await page.GotoAsync(Path);

    public async Task ExpectShownAsync() => await Expect(Heading).ToBeVisibleAsync();
}
