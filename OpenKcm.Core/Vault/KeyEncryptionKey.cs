using System.Security.Cryptography;

namespace OpenKcm.Core.Vault;

/// <summary>
/// The 256-bit key encryption key (KEK) that wraps every secret's data key. Thread-safe (each operation uses its own
/// <see cref="AesGcm"/>). Whoever creates it disposes it; disposing zeroes the key. <see cref="ToString"/> shows only
/// the <see cref="Id"/>.
/// </summary>
public sealed class KeyEncryptionKey : IDisposable
{
    public const int KeySizeBytes = 32;

    private readonly byte[] _key;

    private KeyEncryptionKey(byte[] key)
    {
        _key = key;
        Id = Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, 8));
    }

    /// <summary>
    /// A public fingerprint of the key (first 8 bytes of its SHA-256, hex), stored with each wrapped data key so a
    /// row can say which KEK it needs and KEK rotation can find what to re-wrap.
    /// </summary>
    public string Id { get; }

    public static KeyEncryptionKey FromBytes(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySizeBytes)
        {
            throw new ArgumentException($"A key encryption key is exactly {KeySizeBytes} bytes.", nameof(key));
        }

        return new KeyEncryptionKey(key.ToArray());
    }

    /// <summary>Parses the base64 form used by the <c>kek.key</c> file and the <c>OPENKCM_KEK</c> variable.</summary>
    public static bool TryFromBase64(string? text, out KeyEncryptionKey? kek)
    {
        kek = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var buffer = new byte[KeySizeBytes + 3];
        try
        {
            if (!Convert.TryFromBase64String(text.Trim(), buffer, out var written) || written != KeySizeBytes)
            {
                return false;
            }

            kek = FromBytes(buffer.AsSpan(0, KeySizeBytes));
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>A new random KEK (for first run, and for rotation).</summary>
    public static KeyEncryptionKey Generate() => new(RandomNumberGenerator.GetBytes(KeySizeBytes));

    public override string ToString() => $"KEK {Id}";

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);

    internal string ToBase64() => Convert.ToBase64String(_key);

    internal byte[] Wrap(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> associatedData) =>
        Envelope.Seal(_key, dataKey, associatedData);

    /// <summary>Throws <see cref="AuthenticationTagMismatchException"/> when the blob or its binding does not match.</summary>
    internal byte[] Unwrap(ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData) =>
        Envelope.Open(_key, wrapped, associatedData);
}
