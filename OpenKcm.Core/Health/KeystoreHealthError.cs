using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Health;

/// <summary>The most recent failure seen for a keystore. Never contains a secret or key material.</summary>
public sealed record KeystoreHealthError
{
    /// <summary>The typed keystore error; null when the failure was not a <see cref="KeystoreException"/>.</summary>
    public required KeystoreErrorKind? Kind { get; init; }

    /// <summary>
    /// The <see cref="KeystoreException"/> message (written for administrators, secret-free by contract), or a
    /// generic text naming the exception type for any other failure, whose message is not trusted to be secret-free.
    /// </summary>
    public required string Message { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>
    /// The error to show for <paramref name="exception"/>: kind and message of a <see cref="KeystoreException"/>;
    /// for anything else only the exception's type name, since its message may carry data we must not display.
    /// </summary>
    public static KeystoreHealthError FromException(Exception exception, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is KeystoreException keystoreException
            ? new() { Kind = keystoreException.Kind, Message = keystoreException.Message, At = at }
            : new() { Kind = null, Message = $"Unexpected {exception.GetType().Name}.", At = at };
    }
}
