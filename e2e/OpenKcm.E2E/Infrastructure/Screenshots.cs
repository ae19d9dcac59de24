using Microsoft.Playwright;

namespace OpenKcm.E2E.Infrastructure;

/// <summary>
/// Screenshots of pages worth a human look (Test Connection results, activation results), kept whether or not the test
/// passes: <c>$OPENKCM_E2E_SCREENSHOTS</c> when set, else <c>screens/</c> next to the failure artifacts
/// (<see cref="FailureArtifacts.Directory"/>). They are evidence for a reviewer, not an assertion.
/// </summary>
internal static class Screenshots
{
    public static string Directory { get; } =
        Environment.GetEnvironmentVariable("OPENKCM_E2E_SCREENSHOTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(FailureArtifacts.Directory, "screens");

    /// <summary>
    /// Saves the whole page as <c>{name}.png</c>, overwriting an earlier run's. The console's layout scrolls an inner
    /// container, not the document, so a full-page screenshot alone stops at the viewport: the viewport is made tall
    /// enough for the content for the screenshot, then restored.
    /// </summary>
    public static async Task SaveAsync(IPage page, string name)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var (width, height) = page.ViewportSize is { } viewport ? (viewport.Width, viewport.Height) : (1280, 900);
        var hidden = await page.EvaluateAsync<int>(
            "() => Math.max(0, ...Array.from(document.querySelectorAll('*'), e => e.scrollHeight - e.clientHeight))");
        await page.SetViewportSizeAsync(width, height + Math.Min(hidden, 6000));
        try
        {
            await page.ScreenshotAsync(new PageScreenshotOptions
            {
                Path = Path.Combine(Directory, string.Concat(name.Split(Path.GetInvalidFileNameChars())) + ".png"),
                FullPage = true,
            });
        }
        finally
        {
            await page.SetViewportSizeAsync(width, height);
        }
    }
}
