namespace OpenKcm.E2E.Infrastructure;

/// <summary>
/// Upper bounds for waits, generous for a loaded 2-core CI machine. They are limits, not delays: every wait returns
/// as soon as its condition holds.
/// </summary>
public static class E2ETimeouts
{
    /// <summary>Playwright expectations (<c>Expect(locator).ToBeVisibleAsync()</c> and friends).</summary>
    public static readonly TimeSpan Expect = TimeSpan.FromSeconds(15);

    /// <summary>Actions (click, fill) waiting for their element to be actionable.</summary>
    public static readonly TimeSpan Action = TimeSpan.FromSeconds(15);

    /// <summary>Page loads.</summary>
    public static readonly TimeSpan Navigation = TimeSpan.FromSeconds(30);

    /// <summary>Starting Chromium.</summary>
    public static readonly TimeSpan Launch = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A keystore turning (back to) Healthy on a page. The status follows the average latency of the last minute of
    /// real probes (1 s apart in e2e), so one probe stalled on a loaded machine can hold a keystore Warning for ~20 s
    /// until newer samples outweigh it; the limit lets it leave the window.
    /// </summary>
    public static readonly TimeSpan HealthyAgain = TimeSpan.FromSeconds(90);

    /// <summary><see cref="HealthyAgain"/> for <c>Expect(status).ToHaveAttributeAsync(...)</c>.</summary>
    public static Microsoft.Playwright.LocatorAssertionsToHaveAttributeOptions UntilHealthy =>
        new() { Timeout = (float)HealthyAgain.TotalMilliseconds };
}
