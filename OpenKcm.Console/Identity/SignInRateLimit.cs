using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace OpenKcm.Console.Identity;

/// <summary>
/// Bounds anonymous form posts (sign-in, first-run setup, display-token connect) per client address. Account lockout protects one account;
/// this protects the console and its audit log from a client spraying many accounts or flooding failed sign-ins.
/// </summary>
internal static class SignInRateLimit
{
    public const int PermitsPerMinute = 20;

    public static void Configure(RateLimiterOptions options)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, IPAddress>(context =>
            IsAnonymousFormPost(context.Request)
                ? RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress ?? IPAddress.None, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = PermitsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter(IPAddress.None));
    }

    private static bool IsAnonymousFormPost(HttpRequest request) =>
        HttpMethods.IsPost(request.Method)
        && (request.Path.StartsWithSegments("/account/login", StringComparison.OrdinalIgnoreCase)
            || request.Path.StartsWithSegments("/account/setup", StringComparison.OrdinalIgnoreCase)
            || request.Path.StartsWithSegments(DisplayTokens.DisplayAuthentication.ConnectPath, StringComparison.OrdinalIgnoreCase));
}
