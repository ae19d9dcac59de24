using System.Security.Cryptography;

namespace OpenKcm.Sandbox.AwsKms.Kms;

/// <summary>
/// A KMS key: metadata and key material (32 random bytes for SYMMETRIC_DEFAULT, an RSA key for RSA_*). Guarded by
/// <see cref="Core.AwsAccount"/>'s lock; disposed with the emulator.
/// </summary>
internal sealed class KmsKey : IDisposable
{
    public const string EncryptDecrypt = "ENCRYPT_DECRYPT";
    public const string SignVerify = "SIGN_VERIFY";
    public const string SymmetricDefault = "SYMMETRIC_DEFAULT";

    public static readonly string[] KeyUsages = [EncryptDecrypt, SignVerify, "GENERATE_VERIFY_MAC"];
    public static readonly string[] KeySpecs = [SymmetricDefault, "RSA_2048", "RSA_3072", "RSA_4096", "HMAC_256"];
    public static readonly string[] KeyStates = ["Enabled", "Disabled", "PendingDeletion", "PendingImport"];

    /// <summary>A new key with fresh random material.</summary>
    public KmsKey(string keyId, string arn, string accountId, string keyUsage, string keySpec, string keyState,
        string description, DateTimeOffset creationDate)
        : this(keyId, arn, accountId, keyUsage, keySpec, keyState, description, creationDate,
            keyState == "PendingImport" ? "EXTERNAL" : "AWS_KMS", material: null, rsaPkcs8: null)
    {
    }

    /// <summary>A key with the given material (restored from the state file); fresh material where none is given.</summary>
    /// <exception cref="CryptographicException">The RSA key does not parse.</exception>
    public KmsKey(string keyId, string arn, string accountId, string keyUsage, string keySpec, string keyState,
        string description, DateTimeOffset creationDate, string origin, byte[]? material, byte[]? rsaPkcs8)
    {
        KeyId = keyId;
        Arn = arn;
        AccountId = accountId;
        KeyUsage = keyUsage;
        KeySpec = keySpec;
        KeyState = keyState;
        Description = description;
        CreationDate = creationDate;
        Origin = origin;
        if (keySpec.StartsWith("RSA_", StringComparison.Ordinal))
        {
            Rsa = RSA.Create(int.Parse(keySpec["RSA_".Length..], System.Globalization.CultureInfo.InvariantCulture));
            if (rsaPkcs8 is not null)
            {
                Rsa.ImportPkcs8PrivateKey(rsaPkcs8, out _);
            }
        }
        else
        {
            Material = material ?? RandomNumberGenerator.GetBytes(32);
        }
    }

    public string KeyId { get; }

    public string Arn { get; }

    public string AccountId { get; }

    public string KeyUsage { get; }

    public string KeySpec { get; }

    public string KeyState { get; set; }

    public string Origin { get; }

    public string Description { get; }

    public DateTimeOffset CreationDate { get; }

    public DateTimeOffset? DeletionDate { get; set; }

    public int? PendingWindowInDays { get; set; }

    /// <summary>AES-256 key material of a symmetric key; <c>null</c> for RSA keys.</summary>
    public byte[]? Material { get; }

    public RSA? Rsa { get; }

    public bool IsSymmetric => Material is not null;

    public void Dispose() => Rsa?.Dispose();
}
