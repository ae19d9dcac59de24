using Microsoft.AspNetCore.Identity;
using OpenKcm.Core.Audit;

namespace OpenKcm.Console.Identity;

/// <summary>HTTP endpoints that must run outside a circuit because they change the authentication cookie.</summary>
internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // POST with an antiforgery token (the sign-out form in the layout): a GET could be triggered cross-site.
        endpoints.MapPost("/account/logout", async (HttpContext context, SignInManager<ConsoleUser> signIn, AuditLog audit) =>
        {
            var actor = CurrentActor.From(context.User);
            await signIn.SignOutAsync();
            await audit.AppendAsync(new AuditRecord { Action = AuditActions.SignOut, Outcome = AuditOutcome.Success, Actor = actor }, context.RequestAborted);
            return TypedResults.LocalRedirect("~/account/login");
        });
    }
}
