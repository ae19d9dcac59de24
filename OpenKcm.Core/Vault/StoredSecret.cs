namespace OpenKcm.Core.Vault;

/// <summary>
/// One encrypted secret version (table <c>stored_secrets</c>). Rows are never updated except to re-wrap
/// <see cref="WrappedDataKey"/> under a new KEK. Only <see cref="CredentialVault"/> reads or writes them.
/// </summary>
internal sealed class StoredSecret
{
    /// <summary>Who the secret belongs to; today always a keystore id.</summary>
    public required Guid OwnerId { get; init; }

    /// <summary>The plugin's secret field name (<c>api_key</c>, <c>secret_id</c>).</summary>
    public required string Field { get; init; }

    /// <summary>1, 2, 3... per owner and field.</summary>
    public required int Version { get; init; }

    /// <summary>nonce (12) | tag (16) | AES-256-GCM ciphertext of the value under the data key.</summary>
    public required byte[] Ciphertext { get; init; }

    /// <summary>nonce (12) | tag (16) | AES-256-GCM ciphertext of the 32-byte data key under the KEK.</summary>
    public required byte[] WrappedDataKey { get; set; }

    /// <summary><see cref="KeyEncryptionKey.Id"/> of the KEK that wrapped <see cref="WrappedDataKey"/>.</summary>
    public required string KekId { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string CreatedById { get; init; }
}
