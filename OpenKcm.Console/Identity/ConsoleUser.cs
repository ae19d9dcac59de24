using Microsoft.AspNetCore.Identity;

namespace OpenKcm.Console.Identity;

/// <summary>A console user. Users are created by administrators (or first-run setup); there is no self-registration.</summary>
public sealed class ConsoleUser : IdentityUser
{
    public DateTimeOffset CreatedAt { get; set; }
}
