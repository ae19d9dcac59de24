using System.ComponentModel.DataAnnotations;

namespace OpenKcm.Console.Components.Account;

/// <summary>The first-run setup form.</summary>
public sealed class SetupInput
{
    [Required(ErrorMessage = "Enter the administrator's e-mail address.")]
    [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Choose a password.")]
    public string Password { get; set; } = "";

    /// <summary>Asked only when the request does not come from the console host itself.</summary>
    public string? SetupCode { get; set; }

    [Required(ErrorMessage = "Repeat the password.")]
    [Compare(nameof(Password), ErrorMessage = "The passwords do not match.")]
    public string ConfirmPassword { get; set; } = "";
}
