namespace OpenKcm.E2E.Infrastructure;

/// <summary>
/// The console with its first administrator already created from configuration (<c>Bootstrap:AdminEmail</c>,
/// <c>Bootstrap:AdminPassword</c>), as an unattended install would: for journeys that start at sign-in.
/// </summary>
public class BootstrappedConsoleFixture : ConsoleAppFixture
{
    public const string AdminEmail = "admin@openkcm.test";

    /// <summary>Meets the console's password rules (12+ characters, upper, lower, digit).</summary>
    public const string AdminPassword = "Correct-Horse-42";

    protected override void ConfigureSettings(IDictionary<string, string?> settings)
    {
        settings["Bootstrap:AdminEmail"] = AdminEmail;
        settings["Bootstrap:AdminPassword"] = AdminPassword;
    }
}
