using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components;
using OpenKcm.Console.Identity.DisplayTokens;

namespace OpenKcm.Console.Components.Noc;

/// <summary>
/// Static server-rendered page where a wall-screen browser exchanges a display token (pasted once, posted with
/// antiforgery) for the HttpOnly, SameSite=Strict display cookie, which holds the token's id and lasts until the
/// token expires. Tokens are never taken from the query string.
/// </summary>
public sealed partial class NocConnect
{
    private string? _error;
    private string? _connectedAs;

    [Inject] public required DisplayTokenService Tokens { get; init; }

    [Inject] public required NavigationManager Navigation { get; init; }

    [CascadingParameter] public required HttpContext HttpContext { get; set; }

    [SupplyParameterFromForm] private NocConnectInput? Input { get; set; }

    protected override void OnInitialized()
    {
        Input ??= new NocConnectInput();
        if (HttpMethods.IsGet(HttpContext.Request.Method) && DisplayPrincipal.IsDisplay(HttpContext.User))
        {
            _connectedAs = HttpContext.User.Identity?.Name;
        }
    }

    private async Task ConnectAsync()
    {
        var token = await Tokens.ValidateAsync(Input!.Token.Trim(), HttpContext.RequestAborted);
        if (token is null)
        {
            _error = "This display token is not valid: it may be mistyped, revoked or expired.";
            // Not echoed back into the page's HTML.
            Input.Token = "";
            return;
        }

        await HttpContext.SignInAsync(
            DisplayAuthentication.CookieScheme,
            DisplayPrincipal.Create(token, DisplayAuthentication.CookieScheme),
            new AuthenticationProperties { IsPersistent = true, ExpiresUtc = token.ExpiresAt, AllowRefresh = false });
        Navigation.NavigateTo("noc");
    }
}
