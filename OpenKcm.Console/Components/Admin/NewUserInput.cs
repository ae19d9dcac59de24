using System.ComponentModel.DataAnnotations;

namespace OpenKcm.Console.Components.Admin;

/// <summary>The create-user form.</summary>
public sealed class NewUserInput
{
    [Required(ErrorMessage = "Enter the user's e-mail address.")]
    [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Choose an initial password.")]
    public string Password { get; set; } = "";

    public HashSet<string> Roles { get; } = [];
}
