using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OpenKcm.Core.Vault;

/// <summary>
/// AES-256-GCM sealing in the vault's blob layout (nonce 12 | tag 16 | ciphertext) and the associated data that binds
/// each blob to its owner, field, version and (for data keys) KEK.
/// </summary>
internal static class Envelope
{
    public const int NonceSize = 12;
    public const int TagSize = 16;

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var blob = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = blob.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(NonceSize + TagSize), blob.AsSpan(NonceSize, TagSize), associatedData);
        return blob;
    }

    /// <summary>Throws <see cref="AuthenticationTagMismatchException"/> when the blob was altered or bound elsewhere.</summary>
    public static byte[] Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> blob, ReadOnlySpan<byte> associatedData)
    {
        if (blob.Length < NonceSize + TagSize)
        {
            throw new AuthenticationTagMismatchException();
        }

        var plaintext = new byte[blob.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(blob[..NonceSize], blob[(NonceSize + TagSize)..], blob.Slice(NonceSize, TagSize), plaintext, associatedData);
        return plaintext;
    }

    public static byte[] ValueBinding(Guid ownerId, string field, int version) =>
        Binding("openkcm.vault.v1.value", ownerId.ToString("D"), field, version.ToString(CultureInfo.InvariantCulture));

    public static byte[] DataKeyBinding(Guid ownerId, string field, int version, string kekId) =>
        Binding("openkcm.vault.v1.data-key", ownerId.ToString("D"), field, version.ToString(CultureInfo.InvariantCulture), kekId);

    // Length-prefixed parts: ("a", "bc") and ("ab", "c") must never bind alike.
    private static byte[] Binding(params string[] parts)
    {
        var size = parts.Sum(p => 4 + Encoding.UTF8.GetByteCount(p));
        var result = new byte[size];
        var offset = 0;
        foreach (var part in parts)
        {
            var written = Encoding.UTF8.GetBytes(part, result.AsSpan(offset + 4));
            BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(offset), written);
            offset += 4 + written;
        }

        return result;
    }
}
