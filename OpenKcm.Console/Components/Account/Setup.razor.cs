using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using OpenKcm.Console.Identity;

namespace OpenKcm.Console.Components.Account;

/// <summary>First-run setup: reachable only while no user exists; a second attempt is refused and audited.</summary>
public sealed partial class Setup
{
    private readonly List<string> _errors = [];
    private bool _setupDone;
    private string? _setupCodeError;

    [Inject] public required FirstRunService FirstRun { get; init; }

    [Inject] public required SignInManager<ConsoleUser> SignIn { get; init; }

    [Inject] public required NavigationManager Navigation { get; init; }

    [CascadingParameter] public required HttpContext HttpContext { get; set; }

    [SupplyParameterFromForm] private SetupInput? Input { get; set; }

    protected override async Task OnInitializedAsync()
    {
        Input ??= new SetupInput();
        _setupDone = !await FirstRun.IsSetupRequiredAsync(HttpContext.RequestAborted);
    }

    /// <summary>Requests from the console host itself need no setup code (the operator is on the machine).</summary>
    private bool IsLocalRequest => HttpContext.Connection.RemoteIpAddress is { } address && System.Net.IPAddress.IsLoopback(address);

    private async Task CreateAsync()
    {
        if (!IsLocalRequest && !FirstRun.SetupCode.Matches(Input!.SetupCode))
        {
            _setupCodeError = $"Enter the one-time setup code from {FirstRun.SetupCode.Path} on the console host.";
            return;
        }

        var result = await FirstRun.CreateFirstAdministratorAsync(Input!.Email, Input.Password, "setup-page", HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            _setupDone = result.Errors.Any(e => e.Code == "SetupAlreadyDone");
            _errors.AddRange(result.Errors.Select(e => e.Description));
            return;
        }

        var user = await SignIn.UserManager.FindByEmailAsync(Input.Email);
        await SignIn.SignInAsync(user!, isPersistent: false);
        Navigation.NavigateTo("/");
    }
}
