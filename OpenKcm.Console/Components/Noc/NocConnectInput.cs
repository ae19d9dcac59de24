using System.ComponentModel.DataAnnotations;

namespace OpenKcm.Console.Components.Noc;

public sealed class NocConnectInput
{
    [Required(ErrorMessage = "Paste the display token.")]
    public string Token { get; set; } = "";
}
