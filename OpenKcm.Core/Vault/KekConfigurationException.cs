namespace OpenKcm.Core.Vault;

/// <summary>
/// The key encryption key cannot be loaded safely (unreadable, malformed, or readable by other users). The console
/// refuses to start; the message says what to do and never contains key material.
/// </summary>
public sealed class KekConfigurationException : Exception
{
    public KekConfigurationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
