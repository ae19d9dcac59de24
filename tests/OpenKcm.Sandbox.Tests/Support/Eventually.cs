using System.Diagnostics;

namespace OpenKcm.Sandbox.Tests.Support;

/// <summary>Waits for a condition with a timeout (instead of sleeping a fixed time and hoping).</summary>
internal static class Eventually
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(10);

    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                Assert.Fail($"Timed out after {timeout} waiting until {what}.");
            }

            await Task.Delay(s_pollInterval);
        }
    }
}
