using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OpenKcm.Console.Identity.DisplayTokens;

/// <summary>
/// Authenticates <c>Authorization: Bearer okd_…</c> as a display principal. Only the header is read, never the
/// query string. A challenge answers 401 with <c>WWW-Authenticate: Bearer</c>; the token never appears in a log. A
/// token that matches no active token counts against the client address (<see cref="DisplayTokenAttemptLimit"/>).
/// </summary>
internal sealed class DisplayTokenBearerHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, DisplayTokenService tokens,
    DisplayTokenAttemptLimit attempts)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header["Bearer ".Length..].Trim();
        var info = await tokens.ValidateAsync(token, Context.RequestAborted);
        if (info is null)
        {
            attempts.RecordFailure(Context.Connection.RemoteIpAddress);
            return AuthenticateResult.Fail("The display token is unknown, revoked or expired.");
        }

        var principal = DisplayPrincipal.Create(info, Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
