using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace OpenKcm.Console.Identity.DisplayTokens;

internal static class DisplayTokenEndpoints
{
    /// <summary>
    /// <c>POST /noc/disconnect</c> (form with antiforgery token): ends this browser's display session by deleting the
    /// display cookie. Anonymous, so a screen whose token was revoked can still clear its cookie. The token itself
    /// stays valid for other screens; an administrator revokes it on the display tokens page.
    /// </summary>
    public static void MapDisplayTokenEndpoints(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/noc/disconnect", async (HttpContext context, [FromForm] string? returnUrl) =>
        {
            await context.SignOutAsync(DisplayAuthentication.CookieScheme);
            return TypedResults.LocalRedirect("~" + DisplayAuthentication.ConnectPath);
        }).AllowAnonymous();
}
