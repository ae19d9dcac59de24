using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using OpenKcm.Core.Audit;

namespace OpenKcm.Console.Identity;

/// <summary>
/// The signed-in user as an audit <see cref="Actor"/>. Scoped: one per circuit (interactive pages) or request
/// (static pages); reads the authentication state Blazor cascades, so it works in both.
/// </summary>
public sealed class CurrentActor(AuthenticationStateProvider authentication)
{
    public async Task<Actor> GetAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return From(state.User);
    }

    public static Actor From(ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (id is null)
        {
            throw new InvalidOperationException("An audited action was attempted without a signed-in user.");
        }

        return new Actor(id, user.Identity?.Name ?? id);
    }
}
