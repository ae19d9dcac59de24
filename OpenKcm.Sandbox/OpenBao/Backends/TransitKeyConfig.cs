using OpenKcm.Sandbox.OpenBao.Core;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary><c>POST &lt;mount&gt;/keys/:name/config</c>, with Vault's validation; nothing changes when a value is refused.</summary>
internal static class TransitKeyConfig
{
    public static TransitKey Apply(TransitKey key, FieldReader fields)
    {
        var minDecryption = (int)fields.Int("min_decryption_version", key.MinDecryptionVersion);
        var minEncryption = (int)fields.Int("min_encryption_version", key.MinEncryptionVersion);
        if (minDecryption < 0)
        {
            throw VaultException.BadRequest("min decryption version cannot be negative");
        }

        if (minEncryption < 0)
        {
            throw VaultException.BadRequest("min encryption version cannot be negative");
        }

        minDecryption = Math.Max(minDecryption, 1);
        if (minDecryption > key.LatestVersion)
        {
            throw VaultException.BadRequest(
                $"cannot set min decryption version of {minDecryption}, latest key version is {key.LatestVersion}");
        }

        if (minEncryption > key.LatestVersion)
        {
            throw VaultException.BadRequest(
                $"cannot set min encryption version of {minEncryption}, latest key version is {key.LatestVersion}");
        }

        if (minEncryption > 0 && minEncryption < minDecryption)
        {
            throw VaultException.BadRequest("cannot set min encryption/decryption values; min encryption version of " +
                $"{minEncryption} must be greater than or equal to min decryption version of {minDecryption}");
        }

        var exportable = fields.Bool("exportable", key.Exportable);
        if (key.Exportable && !exportable)
        {
            throw VaultException.BadRequest("exportable key setting cannot be disabled");
        }

        var plaintextBackup = fields.Bool("allow_plaintext_backup", key.AllowPlaintextBackup);
        if (key.AllowPlaintextBackup && !plaintextBackup)
        {
            throw VaultException.BadRequest("plaintext backup cannot be disabled");
        }

        var rotatePeriod = fields.Duration("auto_rotate_period", TimeSpan.FromSeconds(key.AutoRotatePeriodSeconds));
        if (rotatePeriod > TimeSpan.Zero && rotatePeriod < TimeSpan.FromHours(1))
        {
            throw VaultException.BadRequest("auto rotate period must be 0 to disable or at least an hour");
        }

        key.MinDecryptionVersion = minDecryption;
        key.MinEncryptionVersion = minEncryption;
        key.DeletionAllowed = fields.Bool("deletion_allowed", key.DeletionAllowed);
        key.Exportable = exportable;
        key.AllowPlaintextBackup = plaintextBackup;
        key.AutoRotatePeriodSeconds = (long)rotatePeriod.TotalSeconds;
        return key;
    }
}
