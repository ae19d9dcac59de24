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

    /// <summary>Saves the whole page as <c>{name}.png</c>, overwriting an earlier run's.</summary>
    public static async Task SaveAsync(IPage page, string name)
    {
        System.IO.Directory.CreateDirectory(Directory);
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(Directory, string.Concat(name.Split(Path.GetInvalidFileNameChars())) + ".png"),
            FullPage = true,
        });
    }
}
