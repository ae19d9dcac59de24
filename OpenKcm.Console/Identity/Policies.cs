using Microsoft.AspNetCore.Authorization;
using OpenKcm.Console.Identity.DisplayTokens;

namespace OpenKcm.Console.Identity;

/// <summary>Authorization policies by capability; pages and endpoints name these, never roles directly.</summary>
public static class Policies
{
    public const string ViewDashboard = nameof(ViewDashboard);

    /// <summary>The NOC wall page and the health hub: any signed-in role, or a read-only display token.</summary>
    public const string ViewNoc = nameof(ViewNoc);
    public const string ManageKeystores = nameof(ManageKeystores);
    public const string ViewAudit = nameof(ViewAudit);
    public const string ManageUsers = nameof(ManageUsers);
    public const string ManageTenants = nameof(ManageTenants);

    /// <summary>The alert centre, read-only: every role.</summary>
    public const string ViewAlerts = nameof(ViewAlerts);

    /// <summary>Acknowledge alerts: Administrator, KeyAdministrator, Operator (the Auditor only reads).</summary>
    public const string AcknowledgeAlerts = nameof(AcknowledgeAlerts);

    /// <summary>Create, edit, delete and test webhooks, rotate their secrets: Administrators only.</summary>
    public const string ManageWebhooks = nameof(ManageWebhooks);

    /// <summary>Create, list and revoke display tokens: Administrators.</summary>
    public const string ManageDisplayTokens = nameof(ManageDisplayTokens);

    /// <summary>The Blazor circuit endpoints, which a display session needs to run the (ViewNoc) NOC page.</summary>
    public const string BlazorHubPath = "/_blazor";

    public static void Configure(AuthorizationOptions options)
    {
        // Every endpoint requires an authenticated user unless it opts out with [AllowAnonymous]. A display session
        // (a read-only display token) passes the fallback only for the Blazor circuit endpoints, which the NOC page
        // runs on; pages inside the circuit are authorized by their own [Authorize(Policy = ...)], and every policy
        // but ViewNoc requires a role, which a display session never has.
        options.FallbackPolicy = new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .RequireAssertion(context => !DisplayPrincipal.IsDisplay(context.User)
                || (context.Resource is HttpContext http && http.Request.Path.StartsWithSegments(BlazorHubPath)))
            .Build();
        options.AddPolicy(ViewDashboard, p => p.RequireRole(Roles.All.ToArray()));
        options.AddPolicy(ViewNoc, p => p
            .RequireAuthenticatedUser()
            .RequireAssertion(context => DisplayPrincipal.IsDisplay(context.User) || Roles.All.Any(context.User.IsInRole)));
        options.AddPolicy(ManageKeystores, p => p.RequireRole(Roles.Administrator, Roles.KeyAdministrator));
        options.AddPolicy(ViewAudit, p => p.RequireRole(Roles.Administrator, Roles.Auditor));
        options.AddPolicy(ManageUsers, p => p.RequireRole(Roles.Administrator));
        options.AddPolicy(ManageTenants, p => p.RequireRole(Roles.Administrator));
        options.AddPolicy(ViewAlerts, p => p.RequireRole(Roles.All.ToArray()));
        options.AddPolicy(AcknowledgeAlerts, p => p.RequireRole(Roles.Administrator, Roles.KeyAdministrator, Roles.Operator));
        options.AddPolicy(ManageWebhooks, p => p.RequireRole(Roles.Administrator));
        options.AddPolicy(ManageDisplayTokens, p => p.RequireRole(Roles.Administrator));
    }
}
