using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

namespace OpenKcm.Console.Identity.DisplayTokens;

/// <summary>
/// Bounds failed display-token attempts per client address, like sign-in (<see cref="SignInRateLimit"/>): after
/// <see cref="FailuresPerWindow"/> bearer tokens that matched no active token within <see cref="Window"/>, further
/// requests with an <c>Authorization: Bearer</c> header from that address (the hub's <c>negotiate</c> and every other)
/// are answered <c>429</c> before authentication, so they cost no database read, until the window ends. Valid tokens
/// never count, so 500 hub connections on one good token are not limited.
/// </summary>
/// <remarks>Singleton, thread-safe. Remembers at most <see cref="MaxAddresses"/> addresses (expired ones are dropped first).</remarks>
public sealed class DisplayTokenAttemptLimit(TimeProvider time)
{
    public const int FailuresPerWindow = SignInRateLimit.PermitsPerMinute;

    public const int MaxAddresses = 10_000;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<IPAddress, Counter> _failures = new();

    /// <summary>True when <paramref name="address"/> used up its failed attempts in the current window.</summary>
    public bool IsBlocked(IPAddress? address) =>
        _failures.TryGetValue(address ?? IPAddress.None, out var counter) && counter.IsBlocked(time.GetUtcNow());

    /// <summary>Counts one failed display-token attempt from <paramref name="address"/>.</summary>
    public void RecordFailure(IPAddress? address)
    {
        var now = time.GetUtcNow();
        if (_failures.Count >= MaxAddresses)
        {
            foreach (var (key, counter) in _failures)
            {
                if (counter.Expired(now))
                {
                    _failures.TryRemove(key, out _);
                }
            }

            if (_failures.Count >= MaxAddresses)
            {
                _failures.Clear();
            }
        }

        _failures.GetOrAdd(address ?? IPAddress.None, _ => new Counter()).Add(now);
    }

    /// <summary>Middleware (before authentication): answers 429 to bearer requests from a blocked address.</summary>
    public static async Task RejectBlockedAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && context.RequestServices.GetRequiredService<DisplayTokenAttemptLimit>().IsBlocked(context.Connection.RemoteIpAddress))
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = ((int)Window.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return;
        }

        await next(context);
    }

    private sealed class Counter
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _windowStart;
        private int _count;

        public void Add(DateTimeOffset now)
        {
            lock (_lock)
            {
                if (now - _windowStart >= Window)
                {
                    _windowStart = now;
                    _count = 0;
                }

                _count++;
            }
        }

        public bool IsBlocked(DateTimeOffset now)
        {
            lock (_lock)
            {
                return now - _windowStart < Window && _count >= FailuresPerWindow;
            }
        }

        public bool Expired(DateTimeOffset now)
        {
            lock (_lock)
            {
                return now - _windowStart >= Window;
            }
        }
    }
}
