namespace OpenKcm.Providers.Pkcs11;

/// <summary>
/// A PKCS#11 module could not be loaded or initialized. Raised by <see cref="Pkcs11Module.Load"/> before any native call
/// that could crash the process; the message names the path and the reason, never file content.
/// </summary>
public sealed class Pkcs11ModuleException : Exception
{
    public Pkcs11ModuleException(Pkcs11LoadFailure failure, string path, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        Path = path;
    }

    public Pkcs11LoadFailure Failure { get; }

    /// <summary>The module path as given.</summary>
    public string Path { get; }
}
