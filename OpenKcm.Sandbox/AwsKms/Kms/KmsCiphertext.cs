using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OpenKcm.Sandbox.AwsKms.Kms;

/// <summary>
/// The emulator's ciphertext blob for symmetric keys, self-describing like AWS's (it names its key):
/// <c>0x01 | len(keyId) | keyId (ASCII) | nonce (12) | tag (16) | ciphertext</c>, AES-256-GCM under the key's
/// material. The header and the encryption context (sorted by key, length-prefixed UTF-8) are the AAD, so a changed
/// context, a changed key name or a flipped bit all fail authentication. Thread-safe.
/// </summary>
internal static class KmsCiphertext
{
    private const byte Version = 0x01;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static byte[] Seal(KmsKey key, ReadOnlySpan<byte> plaintext, IReadOnlyDictionary<string, string> context)
    {
        var header = Header(key.KeyId);
        var blob = new byte[header.Length + NonceSize + TagSize + plaintext.Length];
        header.CopyTo(blob, 0);
        var nonce = blob.AsSpan(header.Length, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var tag = blob.AsSpan(header.Length + NonceSize, TagSize);
        var ciphertext = blob.AsSpan(header.Length + NonceSize + TagSize);
        using var aes = new AesGcm(key.Material!, TagSize);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, Aad(header, context));
        return blob;
    }

    /// <summary>The key id a blob names, or <c>null</c> when the blob is not one of ours.</summary>
    public static string? KeyIdOf(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 2 || blob[0] != Version)
        {
            return null;
        }

        var length = blob[1];
        return blob.Length < 2 + length + NonceSize + TagSize ? null : Encoding.ASCII.GetString(blob.Slice(2, length));
    }

    /// <summary>The plaintext, or <c>null</c> when authentication fails (wrong key, context or tampered blob).</summary>
    public static byte[]? Open(KmsKey key, ReadOnlySpan<byte> blob, IReadOnlyDictionary<string, string> context)
    {
        if (KeyIdOf(blob) != key.KeyId)
        {
            return null;
        }

        var headerLength = 2 + blob[1];
        var header = blob[..headerLength].ToArray();
        var nonce = blob.Slice(headerLength, NonceSize);
        var tag = blob.Slice(headerLength + NonceSize, TagSize);
        var ciphertext = blob[(headerLength + NonceSize + TagSize)..];
        var plaintext = new byte[ciphertext.Length];
        using var aes = new AesGcm(key.Material!, TagSize);
        try
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext, Aad(header, context));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] Header(string keyId)
    {
        var id = Encoding.ASCII.GetBytes(keyId);
        return [Version, (byte)id.Length, .. id];
    }

    private static byte[] Aad(byte[] header, IReadOnlyDictionary<string, string> context)
    {
        using var stream = new MemoryStream();
        stream.Write(header);
        Span<byte> length = stackalloc byte[4];
        foreach (var (name, value) in context.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var part in new[] { name, value })
            {
                var bytes = Encoding.UTF8.GetBytes(part);
                BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
                stream.Write(length);
                stream.Write(bytes);
            }
        }

        return stream.ToArray();
    }
}
