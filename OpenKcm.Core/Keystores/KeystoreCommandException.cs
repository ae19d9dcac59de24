namespace OpenKcm.Core.Keystores;

/// <summary>
/// A keystore command was refused; <see cref="Error"/> says why in a typed way and the message says it in words an
/// administrator can act on. Refusals are audited (outcome denied) before this is thrown.
/// </summary>
public sealed class KeystoreCommandException : Exception
{
    public KeystoreCommandException(KeystoreCommandError error, string message, Exception? innerException = null)
        : base(message, innerException) => Error = error;

    public KeystoreCommandError Error { get; }
}
