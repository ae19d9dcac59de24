using Microsoft.Playwright;

namespace OpenKcm.E2E.Infrastructure;

/// <summary>How e2e starts Debian's Chromium (never a Playwright-downloaded browser: this machine cannot download).</summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>
    /// The network is closed: without the background-networking flags Chromium floods it with refused connections;
    /// --no-sandbox because tests run as root.
    /// </summary>
    private static readonly string[] s_arguments =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ];

    public static BrowserTypeLaunchOptions LaunchOptions()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"{ExecutablePath} is missing: run ./test.sh, which installs chromium (Debian package) before the tests. " +
                "Do not run `playwright install`: it downloads, and this machine has no internet.");
        }

        return new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = s_arguments,
            Timeout = (float)E2ETimeouts.Launch.TotalMilliseconds,
        };
    }
}
