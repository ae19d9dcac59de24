namespace OpenKcm.Console.Identity;

/// <summary>The console's roles. Enforced on the server through <see cref="Policies"/>, not only by hiding UI.</summary>
public static class Roles
{
    /// <summary>Everything, including users and tenants.</summary>
    public const string Administrator = nameof(Administrator);

    /// <summary>Creates, tests, activates and maintains keystores.</summary>
    public const string KeyAdministrator = nameof(KeyAdministrator);

    /// <summary>Reads the audit log and verifies its chain; read-only.</summary>
    public const string Auditor = nameof(Auditor);

    /// <summary>Watches the dashboard; read-only.</summary>
    public const string Operator = nameof(Operator);

    public static readonly IReadOnlyList<string> All = [Administrator, KeyAdministrator, Auditor, Operator];

    public static string Describe(string role) => role switch
    {
        Administrator => "Everything: users, tenants, keystores, audit",
        KeyAdministrator => "Keystores: configure, test, activate",
        Auditor => "Audit log, read-only",
        Operator => "Dashboard and alerts: watches, acknowledges alerts",
        _ => role,
    };
}
