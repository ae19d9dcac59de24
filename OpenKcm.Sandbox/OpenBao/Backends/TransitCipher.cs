using System.Globalization;
using System.Security.Cryptography;
using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary>
/// Transit's ciphertext format for AES-GCM keys: <c>vault:v&lt;version&gt;:</c> + base64(12-byte nonce ‖ ciphertext ‖
/// 16-byte tag); <c>associated_data</c> is GCM's additional authenticated data. Error texts are Vault's
/// (<c>keysutil/policy.go</c>); every failure is a 400.
/// </summary>
internal static class TransitCipher
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static string Encrypt(TransitKey key, int version, byte[] plaintext, byte[] associatedData)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var sealedBytes = new byte[NonceSize + plaintext.Length + TagSize];
        nonce.CopyTo(sealedBytes, 0);
        using var gcm = new AesGcm(key.Material(version), TagSize);
        gcm.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize, plaintext.Length),
            sealedBytes.AsSpan(NonceSize + plaintext.Length), associatedData);
        return $"vault:v{version}:{Convert.ToBase64String(sealedBytes)}";
    }

    public static (byte[] Plaintext, int Version) Decrypt(TransitKey key, string ciphertext, byte[] associatedData)
    {
        if (!ciphertext.StartsWith("vault:v", StringComparison.Ordinal))
        {
            throw VaultException.BadRequest("invalid ciphertext: no prefix");
        }

        var parts = ciphertext["vault:v".Length..].Split(':', 2);
        if (parts.Length != 2)
        {
            throw VaultException.BadRequest("invalid ciphertext: wrong number of fields");
        }

        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw VaultException.BadRequest("invalid ciphertext: version number could not be decoded");
        }

        version = Math.Max(version, 1);
        if (version > key.LatestVersion)
        {
            throw VaultException.BadRequest("invalid ciphertext: version is too new");
        }

        if (version < key.MinDecryptionVersion)
        {
            throw VaultException.BadRequest("ciphertext or signature version is disallowed by policy (too old)");
        }

        var sealedBytes = Base64(parts[1]) ?? throw VaultException.BadRequest("invalid ciphertext: could not decode base64");
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw VaultException.BadRequest("invalid ciphertext length");
        }

        var cipherLength = sealedBytes.Length - NonceSize - TagSize;
        var plaintext = new byte[cipherLength];
        using var gcm = new AesGcm(key.Material(version), TagSize);
        try
        {
            gcm.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, cipherLength),
                sealedBytes.AsSpan(NonceSize + cipherLength), plaintext, associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw VaultException.BadRequest("cipher: message authentication failed");
        }

        return (plaintext, version);
    }

    public static byte[]? Base64(string text)
    {
        var buffer = new byte[text.Length * 3 / 4 + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }
}
