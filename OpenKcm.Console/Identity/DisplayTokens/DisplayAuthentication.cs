using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace OpenKcm.Console.Identity.DisplayTokens;

/// <summary>
/// Authentication schemes for display tokens and the policy scheme that picks, per request, between the Identity
/// cookie (people), the display cookie (a wall-screen browser after <c>/noc/connect</c>) and a bearer display
/// token (programs reading <c>/hubs/health</c>).
/// </summary>
public static class DisplayAuthentication
{
    /// <summary>The default scheme: forwards to one of the three below.</summary>
    public const string SelectorScheme = "OpenKcm";

    /// <summary><c>Authorization: Bearer okd_…</c>. Never from the query string (it would be logged).</summary>
    public const string BearerScheme = "DisplayBearer";

    /// <summary>The wall screen's cookie, set by <c>/noc/connect</c>; holds the token's id, never the token.</summary>
    public const string CookieScheme = "DisplayCookie";

    public const string CookieName = "openkcm.display";

    public const string ConnectPath = "/noc/connect";

    public static void Add(IServiceCollection services, IHostEnvironment environment)
    {
        services.AddSingleton<DisplayTokenService>();
        services.AddSingleton<DisplayTokenAttemptLimit>();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = SelectorScheme;
                o.DefaultAuthenticateScheme = SelectorScheme;
                o.DefaultChallengeScheme = SelectorScheme;
                o.DefaultForbidScheme = SelectorScheme;
            })
            .AddPolicyScheme(SelectorScheme, "Identity cookie, display cookie or display bearer token", o => o.ForwardDefaultSelector = Select)
            .AddScheme<AuthenticationSchemeOptions, DisplayTokenBearerHandler>(BearerScheme, null)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                o.LoginPath = ConnectPath;
                // Not /account/access-denied: that page is closed to display sessions, which would loop.
                o.AccessDeniedPath = ConnectPath;
                o.ReturnUrlParameter = "returnUrl";
                // Lifetime is the token's: set per sign-in (AuthenticationProperties.ExpiresUtc).
                o.SlidingExpiration = false;
                o.Events.OnValidatePrincipal = ValidateCookieAsync;
            });
    }

    /// <summary>
    /// Which scheme handles a request: a bearer header means a program with a display token; a request with only a
    /// display cookie is a wall screen; a hub request with no credentials is answered 401 (not a sign-in redirect);
    /// everything else is the Identity cookie, as before display tokens existed.
    /// </summary>
    internal static string Select(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return BearerScheme;
        }

        var cookies = context.Request.Cookies;
        var hasIdentityCookie = cookies.ContainsKey(IdentityCookieName);
        if (!hasIdentityCookie && cookies.ContainsKey(CookieName))
        {
            return CookieScheme;
        }

        if (!hasIdentityCookie && context.Request.Path.StartsWithSegments(HubPath))
        {
            return BearerScheme;
        }

        return IdentityConstants.ApplicationScheme;
    }

    /// <summary>The Identity cookie's name (DependencyInjection configures it).</summary>
    public const string IdentityCookieName = "openkcm.auth";

    /// <summary>Where the health hub is mapped.</summary>
    public const string HubPath = "/hubs/health";

    /// <summary>Every request with a display cookie re-checks its token (cached for a few seconds).</summary>
    private static async Task ValidateCookieAsync(CookieValidatePrincipalContext context)
    {
        var tokens = context.HttpContext.RequestServices.GetRequiredService<DisplayTokenService>();
        if (DisplayPrincipal.TokenIdOf(context.Principal) is not { } id
            || await tokens.FindActiveAsync(id, context.HttpContext.RequestAborted) is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
        }
    }
}
