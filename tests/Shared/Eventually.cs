using System.Diagnostics;

namespace OpenKcm.Tests.Support;

/// <summary>Waits for a condition with a timeout (never a fixed sleep): polls it, optionally moving a fake clock between polls.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How often the condition is re-checked; the wait ends as soon as it holds.</summary>
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(5);

    public static async Task UntilAsync(Func<bool> condition, string because, Action? betweenPolls = null, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"Not true within {limit.TotalSeconds} s: {because}");
            }

            betweenPolls?.Invoke();
            await Task.Delay(s_pollInterval);
        }
    }

    /// <summary>As <see cref="UntilAsync(Func{bool}, string, Action?, TimeSpan?)"/> for a condition that must do I/O to answer.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"Not true within {limit.TotalSeconds} s: {because}");
            }

            await Task.Delay(s_pollInterval);
        }
    }
}
