using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using OpenKcm.Core.Audit;

namespace OpenKcm.Console.Identity;

/// <summary>HTTP endpoints that must run outside a circuit because they change the authentication cookie.</summary>
internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // POST with an antiforgery token (the sign-out form in the layout): a GET, or a POST without the token, could
        // be triggered cross-site. The antiforgery middleware checks only form posts, so the endpoint binds the form:
        // a non-form POST fails binding, a form POST without a valid token is refused.
        endpoints.MapPost("/account/logout", async (HttpContext context, [FromForm] string? returnUrl, SignInManager<ConsoleUser> signIn, AuditLog audit) =>
        {
            var actor = CurrentActor.From(context.User);
            // A new security stamp makes copies of this session's cookie worthless too, not only this browser's.
            if (await signIn.UserManager.GetUserAsync(context.User) is { } user)
            {
                await signIn.UserManager.UpdateSecurityStampAsync(user);
            }

            await signIn.SignOutAsync();
            await audit.AppendAsync(new AuditRecord { Action = AuditActions.SignOut, Outcome = AuditOutcome.Success, Actor = actor }, context.RequestAborted);
            return TypedResults.LocalRedirect("~/account/login");
        });
    }
}
