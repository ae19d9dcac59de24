namespace OpenKcm.Sandbox.ThalesLuna.Token;

/// <summary>
/// Setting up or checking the sandbox's SoftHSM2 token failed. The message says which step and why, and never holds a
/// PIN or key material; <see cref="LunaSandbox"/> turns it into <see cref="LunaSandbox.UnavailableReason"/>.
/// </summary>
internal sealed class ToolException : Exception
{
    public ToolException(string message)
        : base(message)
    {
    }

    public ToolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
