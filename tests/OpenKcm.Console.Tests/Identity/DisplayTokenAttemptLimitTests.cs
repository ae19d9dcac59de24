using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Console.Identity.DisplayTokens;
using OpenKcm.Tests.Shared;

namespace OpenKcm.Console.Tests.Identity;

/// <summary>
/// The per-address bound on failed display-token attempts, on a manual clock, through its real middleware: once an
/// address has used up its failures, bearer requests (the hub's negotiate) are answered 429 without reaching
/// authentication; other addresses and requests without a bearer header are not affected.
/// </summary>
public sealed class DisplayTokenAttemptLimitTests
{
    private static readonly IPAddress s_guesser = IPAddress.Parse("192.0.2.7");
    private static readonly IPAddress s_wall = IPAddress.Parse("192.0.2.8");

    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
    private readonly DisplayTokenAttemptLimit _limit;
    private readonly ServiceProvider _services;

    public DisplayTokenAttemptLimitTests()
    {
        _limit = new DisplayTokenAttemptLimit(_time);
        _services = new ServiceCollection().AddSingleton(_limit).BuildServiceProvider();
    }

    [Fact]
    public async Task Negotiate_AfterTheAddressUsedUpItsFailures_429WithoutReachingAuthenticationUntilTheWindowEnds()
    {
        for (var i = 0; i < DisplayTokenAttemptLimit.FailuresPerWindow - 1; i++)
        {
            _limit.RecordFailure(s_guesser);
        }

        Assert.Equal((StatusCodes.Status200OK, true), await NegotiateAsync(s_guesser, bearer: true));

        _limit.RecordFailure(s_guesser);

        Assert.Equal((StatusCodes.Status429TooManyRequests, false), await NegotiateAsync(s_guesser, bearer: true));
        Assert.Equal((StatusCodes.Status200OK, true), await NegotiateAsync(s_wall, bearer: true));
        Assert.Equal((StatusCodes.Status200OK, true), await NegotiateAsync(s_guesser, bearer: false));

        _time.Advance(DisplayTokenAttemptLimit.Window);

        Assert.Equal((StatusCodes.Status200OK, true), await NegotiateAsync(s_guesser, bearer: true));
    }

    [Fact]
    public void RecordFailure_ManyAddresses_StaysBounded()
    {
        for (var i = 0; i < DisplayTokenAttemptLimit.MaxAddresses + 10; i++)
        {
            _limit.RecordFailure(new IPAddress(BitConverter.GetBytes(i)));
        }

        Assert.False(_limit.IsBlocked(s_guesser));
    }

    private async Task<(int Status, bool ReachedNext)> NegotiateAsync(IPAddress address, bool bearer)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Connection.RemoteIpAddress = address;
        context.Request.Method = HttpMethods.Post;
        context.Request.Path = "/hubs/health/negotiate";
        if (bearer)
        {
            context.Request.Headers.Authorization = "Bearer okd_" + new string('A', 43);
        }

        var reached = false;
        await DisplayTokenAttemptLimit.RejectBlockedAsync(context, _ =>
        {
            reached = true;
            return Task.CompletedTask;
        });
        return (context.Response.StatusCode, reached);
    }
}
