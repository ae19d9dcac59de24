namespace OpenKcm.Core.Operations;

/// <summary>
/// A key operation named a keystore that is not active (never activated, suspended, retired or deleted). Not a
/// keystore-side failure: not retried, not counted against the keystore's health.
/// </summary>
public sealed class KeystoreNotActiveException : InvalidOperationException
{
    public KeystoreNotActiveException(Guid keystoreId)
        : base($"Keystore {keystoreId} is not active.") => KeystoreId = keystoreId;

    public Guid KeystoreId { get; }
}
