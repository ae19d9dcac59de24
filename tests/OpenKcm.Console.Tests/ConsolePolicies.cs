using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Console.Identity;

namespace OpenKcm.Console.Tests;

/// <summary>
/// Which of the console's real policies (<see cref="Policies.Configure"/>) a set of roles satisfies, evaluated by
/// ASP.NET Core's own authorization service. bunit's test authorization knows policies only by name; feeding it
/// this answer keeps component tests honest about the real role-to-policy mapping.
/// </summary>
internal static class ConsolePolicies
{
    private static readonly string[] s_names =
        [Policies.ViewDashboard, Policies.ManageKeystores, Policies.ViewAudit, Policies.ManageUsers, Policies.ManageTenants,
            Policies.ViewAlerts, Policies.AcknowledgeAlerts, Policies.ManageWebhooks, Policies.ViewNoc, Policies.ManageDisplayTokens];

    private static readonly IAuthorizationService s_authorization = new ServiceCollection()
        .AddLogging()
        .AddAuthorizationCore(Policies.Configure)
        .BuildServiceProvider()
        .GetRequiredService<IAuthorizationService>();

    public static string[] SatisfiedBy(IEnumerable<string> roles)
    {
        var identity = new ClaimsIdentity(roles.Select(r => new Claim(ClaimTypes.Role, r)), authenticationType: "test");
        var user = new ClaimsPrincipal(identity);
        return [.. s_names.Where(policy => s_authorization.AuthorizeAsync(user, policy).GetAwaiter().GetResult().Succeeded)];
    }
}
