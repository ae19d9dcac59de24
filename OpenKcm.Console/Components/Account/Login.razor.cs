using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using OpenKcm.Console.Identity;
using OpenKcm.Core.Audit;

namespace OpenKcm.Console.Components.Account;

/// <summary>Static server-rendered sign-in: only a real HTTP response can set the authentication cookie.</summary>
public sealed partial class Login
{
    private string? _error;

    [Inject] public required SignInManager<ConsoleUser> SignIn { get; init; }

    [Inject] public required FirstRunService FirstRun { get; init; }

    [Inject] public required AuditLog Audit { get; init; }

    [Inject] public required NavigationManager Navigation { get; init; }

    [CascadingParameter] public required HttpContext HttpContext { get; set; }

    [SupplyParameterFromForm] private LoginInput? Input { get; set; }

    [SupplyParameterFromQuery] private string? ReturnUrl { get; set; }

    protected override async Task OnInitializedAsync()
    {
        Input ??= new LoginInput();
        if (HttpMethods.IsGet(HttpContext.Request.Method) && await FirstRun.IsSetupRequiredAsync(HttpContext.RequestAborted))
        {
            Navigation.NavigateTo("account/setup");
        }
    }

    private async Task SignInAsync()
    {
        var input = Input!;
        var result = await SignIn.PasswordSignInAsync(input.Email, input.Password, isPersistent: false, lockoutOnFailure: true);
        var user = await SignIn.UserManager.FindByEmailAsync(input.Email);
        var actor = user is null ? new Actor("anonymous", input.Email) : new Actor(user.Id, input.Email);
        if (result.Succeeded)
        {
            await Audit.AppendAsync(new AuditRecord { Action = AuditActions.SignIn, Outcome = AuditOutcome.Success, Actor = actor }, HttpContext.RequestAborted);
            Navigation.NavigateTo(SafeReturnUrl(ReturnUrl));
            return;
        }

        var reason = result.IsLockedOut ? "account locked" : result.IsNotAllowed ? "not allowed" : "wrong e-mail or password";
        await Audit.AppendAsync(new AuditRecord { Action = AuditActions.SignInFailed, Outcome = AuditOutcome.Failure, Actor = actor, Detail = reason }, HttpContext.RequestAborted);
        _error = result.IsLockedOut
            ? "This account is locked after repeated failed sign-ins. Try again in 15 minutes or ask an administrator to unlock it."
            : "Wrong e-mail or password.";
    }

    /// <summary>Only local paths: an attacker-supplied absolute URL must not turn sign-in into an open redirect.</summary>
    internal static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";
}
