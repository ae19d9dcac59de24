using System.Security.Claims;

namespace OpenKcm.Console.Identity.DisplayTokens;

/// <summary>
/// The principal of a display session (bearer token or display cookie): no role, only the token's id and name. The
/// <see cref="Policies.ViewNoc"/> policy accepts it; every other policy requires a role and refuses it.
/// </summary>
public static class DisplayPrincipal
{
    /// <summary>Claim carrying the display token's id (a Guid, "D" format).</summary>
    public const string TokenIdClaim = "openkcm:display_token";

    /// <summary>Prefix of the name identifier (and audit actor id) of display sessions.</summary>
    public const string IdPrefix = "display-token:";

    public static ClaimsPrincipal Create(DisplayTokenInfo token, string authenticationType)
    {
        ArgumentNullException.ThrowIfNull(token);
        var actor = DisplayTokenService.ActorOf(token);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, actor.Id),
                new Claim(ClaimTypes.Name, actor.Name),
                new Claim(TokenIdClaim, token.Id.ToString("D")),
            ],
            authenticationType);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>The display token id of <paramref name="user"/>; null for users (and anonymous).</summary>
    public static Guid? TokenIdOf(ClaimsPrincipal? user) =>
        user?.FindFirst(TokenIdClaim)?.Value is { } value && Guid.TryParse(value, out var id) ? id : null;

    public static bool IsDisplay(ClaimsPrincipal? user) => TokenIdOf(user) is not null;
}
