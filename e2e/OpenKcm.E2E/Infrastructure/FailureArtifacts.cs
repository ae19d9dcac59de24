using Microsoft.Playwright;

namespace OpenKcm.E2E.Infrastructure;

/// <summary>Writes what a failed journey leaves behind into <c>.test-results/e2e/</c>.</summary>
internal static class FailureArtifacts
{
    /// <summary>
    /// <c>$OPENKCM_TEST_RESULTS/e2e</c> when ./test.sh runs the tests, else <c>.test-results/e2e</c> at the repository
    /// root (found from the test binaries), else the working directory.
    /// </summary>
    public static string Directory { get; } = ResolveDirectory();

    public static async Task SaveAsync(string name, IPage page, Exception failure, IReadOnlyList<string> browserConsole, CapturedLogs serverLogs)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var stem = Path.Combine(Directory, string.Concat(name.Split(Path.GetInvalidFileNameChars())));
        try
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = stem + ".png", FullPage = true, Timeout = 10_000 });
            await File.WriteAllTextAsync(stem + ".html", await page.ContentAsync());
        }
        catch (PlaywrightException e)
        {
            // The page itself may be what broke (crashed, closed); keep the rest.
            await File.WriteAllTextAsync(stem + ".html", $"<!-- page not captured: {e.Message} -->");
        }

        await File.WriteAllLinesAsync(stem + ".log",
        [
            $"url: {page.Url}",
            $"failure: {failure}",
            "",
            "--- browser console ---",
            .. browserConsole,
            "",
            "--- server log ---",
            .. serverLogs.Snapshot(),
        ]);
    }

    private static string ResolveDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("OPENKCM_TEST_RESULTS");
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.Combine(configured, "e2e");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenKcm.Console.sln")))
            {
                return Path.Combine(dir.FullName, ".test-results", "e2e");
            }
        }

        return Path.Combine(Environment.CurrentDirectory, ".test-results", "e2e");
    }
}
