using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using OpenKcm.Console.Identity.DisplayTokens;

namespace OpenKcm.Console.Identity;

/// <summary>
/// Re-checks a circuit's user every minute: a circuit outlives the cookie check of the request that opened it, so
/// without this a locked user, or one whose roles were changed, would keep an open page working for hours. Locking
/// and role changes renew the user's security stamp (<see cref="UserAdministration"/>), which fails this check and
/// sends the page to sign-in. A display session (read-only display token, <see cref="DisplayPrincipal"/>) is valid
/// while its token is neither revoked nor expired. The rule is <see cref="SessionValidator"/>'s, shared with hub streams.
/// </summary>
internal sealed class RevalidatingIdentityAuthenticationStateProvider(
    ILoggerFactory loggerFactory, SessionValidator sessions)
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

    private Task<bool> IsStillValidAsync(AuthenticationState authenticationState) =>
        sessions.IsStillValidAsync(authenticationState.User, CancellationToken.None);
}
