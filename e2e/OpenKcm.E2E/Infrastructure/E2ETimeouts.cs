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
}
