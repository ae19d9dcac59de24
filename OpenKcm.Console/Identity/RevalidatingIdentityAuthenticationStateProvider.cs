using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenKcm.Console.Identity.DisplayTokens;

namespace OpenKcm.Console.Identity;

/// <summary>
/// Re-checks a circuit's user every minute: a circuit outlives the cookie check of the request that opened it, so
/// without this a locked user, or one whose roles were changed, would keep an open page working for hours. Locking
/// and role changes renew the user's security stamp (<see cref="UserAdministration"/>), which fails this check and
/// sends the page to sign-in. A display session (read-only display token, <see cref="DisplayPrincipal"/>) is valid
/// while its token is neither revoked nor expired.
/// </summary>
internal sealed class RevalidatingIdentityAuthenticationStateProvider(
    ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<IdentityOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        try
        {
            return await IsStillValidAsync(authenticationState);
        }
        catch (ObjectDisposedException)
        {
            // The application is shutting down under an open circuit: the circuit is going away with it.
            return false;
        }
    }

    private async Task<bool> IsStillValidAsync(AuthenticationState authenticationState)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (DisplayPrincipal.TokenIdOf(authenticationState.User) is { } displayTokenId)
        {
            return await scope.ServiceProvider.GetRequiredService<DisplayTokenService>()
                .FindActiveAsync(displayTokenId, CancellationToken.None) is not null;
        }

        var users = scope.ServiceProvider.GetRequiredService<UserManager<ConsoleUser>>();
        var user = await users.GetUserAsync(authenticationState.User);
        if (user is null || await users.IsLockedOutAsync(user))
        {
            return false;
        }

        var stampInCookie = authenticationState.User.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return stampInCookie == await users.GetSecurityStampAsync(user);
    }
}
