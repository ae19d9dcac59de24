using System.ComponentModel.DataAnnotations;

namespace OpenKcm.Console.Components.Account;

/// <summary>The sign-in form.</summary>
public sealed class LoginInput
{
    [Required(ErrorMessage = "Enter your e-mail address.")]
    [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
    [StringLength(256, ErrorMessage = "An e-mail address has at most 256 characters.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Enter your password.")]
    public string Password { get; set; } = "";
}
