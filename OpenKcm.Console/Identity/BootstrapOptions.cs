namespace OpenKcm.Console.Identity;

/// <summary>
/// The <c>Bootstrap</c> section: for unattended installs, the first administrator is created from configuration
/// (<c>Bootstrap__AdminEmail</c>, <c>Bootstrap__AdminPassword</c> as environment variables) when no user exists.
/// </summary>
public sealed class BootstrapOptions
{
    public const string Section = "Bootstrap";

    public string? AdminEmail { get; set; }

    public string? AdminPassword { get; set; }
}
