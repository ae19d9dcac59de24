using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenKcm.Console.Identity.DisplayTokens;

namespace OpenKcm.Console.Identity;

/// <summary>
/// The one rule for "is this long-lived session still allowed", used by Blazor circuits
/// (<see cref="RevalidatingIdentityAuthenticationStateProvider"/>, every minute) and open <c>/hubs/health</c> streams
/// (every heartbeat). A person: the user still exists, is not locked out and the security stamp in the principal is
/// the current one (locking and role changes renew it, <see cref="UserAdministration"/>). A display session: its token
/// is neither revoked nor expired (<see cref="DisplayTokenService"/>, cached a few seconds).
/// </summary>
/// <remarks>Singleton, thread-safe; each call reads users in a scope of its own.</remarks>
public sealed class SessionValidator(IServiceScopeFactory scopes, DisplayTokenService displayTokens, IOptions<IdentityOptions> options)
{
    /// <summary>False when <paramref name="user"/> may no longer use the console.</summary>
    /// <exception cref="Exception">When the database cannot be read (callers decide whether that ends the session).</exception>
    public async Task<bool> IsStillValidAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (DisplayPrincipal.TokenIdOf(user) is { } displayTokenId)
        {
            return await displayTokens.FindActiveAsync(displayTokenId, cancellationToken) is not null;
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ConsoleUser>>();
        var consoleUser = await users.GetUserAsync(user);
        if (consoleUser is null || await users.IsLockedOutAsync(consoleUser))
        {
            return false;
        }

        var stampInPrincipal = user.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return stampInPrincipal == await users.GetSecurityStampAsync(consoleUser);
    }
}
