using Microsoft.AspNetCore.Authorization;

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

    public static void Configure(AuthorizationOptions options)
    {
        // Every endpoint requires an authenticated user unless it opts out with [AllowAnonymous].
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        options.AddPolicy(ViewDashboard, p => p.RequireRole(Roles.All.ToArray()));
        options.AddPolicy(ViewNoc, p => p.RequireRole(Roles.All.ToArray()));
        options.AddPolicy(ManageKeystores, p => p.RequireRole(Roles.Administrator, Roles.KeyAdministrator));
        options.AddPolicy(ViewAudit, p => p.RequireRole(Roles.Administrator, Roles.Auditor));
        options.AddPolicy(ManageUsers, p => p.RequireRole(Roles.Administrator));
        options.AddPolicy(ManageTenants, p => p.RequireRole(Roles.Administrator));
        options.AddPolicy(ViewAlerts, p => p.RequireRole(Roles.All.ToArray()));
        options.AddPolicy(AcknowledgeAlerts, p => p.RequireRole(Roles.Administrator, Roles.KeyAdministrator, Roles.Operator));
        options.AddPolicy(ManageWebhooks, p => p.RequireRole(Roles.Administrator));
    }
}
