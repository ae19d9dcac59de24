namespace OpenKcm.Core.Vault;

/// <summary>
/// A stored secret does not decrypt: its ciphertext or wrapped data key was altered, copied from another owner, field
/// or version, or wrapped under a KEK that is not available. Names the secret (never its value).
/// </summary>
public sealed class VaultIntegrityException : Exception
{
    public VaultIntegrityException(Guid ownerId, string field, int version, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        OwnerId = ownerId;
        Field = field;
        Version = version;
    }

    public Guid OwnerId { get; }

    public string Field { get; }

    public int Version { get; }
}
