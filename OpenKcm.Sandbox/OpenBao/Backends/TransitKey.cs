using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary>
/// A named transit key: AES-GCM key material per version (never leaves the emulator) and its policy settings.
/// </summary>
internal sealed class TransitKey
{
    private readonly List<(byte[] Material, long Created)> _versions = [];

    public TransitKey(string name, string type, DateTimeOffset now)
    {
        Name = name;
        Type = type;
        Rotate(now);
    }

    public string Name { get; }

    /// <summary><c>aes256-gcm96</c> or <c>aes128-gcm96</c>.</summary>
    public string Type { get; }

    public int LatestVersion => _versions.Count;

    public int MinDecryptionVersion { get; set; } = 1;

    /// <summary>Zero means "the latest version".</summary>
    public int MinEncryptionVersion { get; set; }

    public bool DeletionAllowed { get; set; }

    public bool Exportable { get; set; }

    public bool AllowPlaintextBackup { get; set; }

    public long AutoRotatePeriodSeconds { get; set; }

    public void Rotate(DateTimeOffset now) =>
        _versions.Add((RandomNumberGenerator.GetBytes(Type == "aes128-gcm96" ? 16 : 32), now.ToUnixTimeSeconds()));

    /// <summary>Key material for a version; callers validate the version first.</summary>
    public byte[] Material(int version) => _versions[version - 1].Material;

    /// <summary>The data of <c>GET &lt;mount&gt;/keys/:name</c>: settings and version creation times, no material.</summary>
    public JsonObject Describe() => new()
    {
        ["name"] = Name,
        ["type"] = Type,
        ["derived"] = false,
        ["deletion_allowed"] = DeletionAllowed,
        ["min_available_version"] = 0,
        ["min_decryption_version"] = MinDecryptionVersion,
        ["min_encryption_version"] = MinEncryptionVersion,
        ["latest_version"] = LatestVersion,
        ["exportable"] = Exportable,
        ["allow_plaintext_backup"] = AllowPlaintextBackup,
        ["supports_encryption"] = true,
        ["supports_decryption"] = true,
        ["supports_signing"] = false,
        ["supports_derivation"] = true,
        ["auto_rotate_period"] = AutoRotatePeriodSeconds,
        ["imported_key"] = false,
        ["soft_deleted"] = false,
        ["keys"] = new JsonObject(_versions.Select((v, i) =>
            KeyValuePair.Create((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)v.Created))),
    };
}
