using Microsoft.AspNetCore.Http;

namespace OpenKcm.Sandbox.Faults;

/// <summary>The per-request part of fault injection shared by emulators: latency, then a random injected error.</summary>
internal static class FaultInjection
{
    /// <summary>
    /// Waits the configured latency, then decides whether this request fails. Returns <c>true</c> when
    /// <paramref name="writeError"/> has answered it.
    /// </summary>
    public static async Task<bool> ApplyAsync(
        EmulatorFaults faults, HttpContext context, Func<HttpContext, Task> writeError, CancellationToken cancellationToken)
    {
        if (faults.LatencyMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(faults.LatencyMs), cancellationToken).ConfigureAwait(false);
        }

        var rate = faults.ErrorRate;
        if (rate > 0 && (rate >= 1 || Random.Shared.NextDouble() < rate))
        {
            await writeError(context).ConfigureAwait(false);
            return true;
        }

        return false;
    }
}
