using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao.State;

namespace OpenKcm.Sandbox.OpenBao.Backends;

/// <summary>
/// A named transit key: AES-GCM key material per version (never leaves the emulator) and its policy settings.
/// </summary>
internal sealed class TransitKey
{
    private readonly List<(byte[] Material, long Created)> _versions = [];

    public TransitKey(string name, string type, DateTimeOffset now)
        : this(name, type)
    {
        Rotate(now);
    }

    private TransitKey(string name, string type)
    {
        Name = name;
        Type = type;
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

    private int MaterialSize => Type == "aes128-gcm96" ? 16 : 32;

    public void Rotate(DateTimeOffset now) => _versions.Add((RandomNumberGenerator.GetBytes(MaterialSize), now.ToUnixTimeSeconds()));

    /// <summary>A key as it was saved by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The saved key is not one this emulator could have made; the message names
    /// the problem, never a value.</exception>
    public static TransitKey Restore(TransitKeyState state)
    {
        if (state.Type is not ("aes256-gcm96" or "aes128-gcm96"))
        {
            throw new InvalidDataException("unsupported key type");
        }

        var key = new TransitKey(state.Name, state.Type)
        {
            DeletionAllowed = state.DeletionAllowed,
            Exportable = state.Exportable,
            AllowPlaintextBackup = state.AllowPlaintextBackup,
            AutoRotatePeriodSeconds = state.AutoRotatePeriodSeconds,
        };
        foreach (var version in state.Versions)
        {
            if (version.Material.Length != key.MaterialSize)
            {
                throw new InvalidDataException(
                    $"version {key.LatestVersion + 1} has {version.Material.Length} bytes of key material, {state.Type} has {key.MaterialSize}");
            }

            key._versions.Add((version.Material, version.Created));
        }

        if (key.LatestVersion == 0
            || state.MinDecryptionVersion < 1 || state.MinDecryptionVersion > key.LatestVersion
            || state.MinEncryptionVersion < 0 || state.MinEncryptionVersion > key.LatestVersion)
        {
            throw new InvalidDataException("no versions, or minimum versions outside the versions there are");
        }

        key.MinDecryptionVersion = state.MinDecryptionVersion;
        key.MinEncryptionVersion = state.MinEncryptionVersion;
        return key;
    }

    /// <summary>Everything needed to <see cref="Restore"/> the key, key material included: handle as a secret.</summary>
    public TransitKeyState Save() => new()
    {
        Name = Name,
        Type = Type,
        Versions = _versions.Select(v => new TransitKeyVersionState { Material = v.Material, Created = v.Created }).ToList(),
        MinDecryptionVersion = MinDecryptionVersion,
        MinEncryptionVersion = MinEncryptionVersion,
        DeletionAllowed = DeletionAllowed,
        Exportable = Exportable,
        AllowPlaintextBackup = AllowPlaintextBackup,
        AutoRotatePeriodSeconds = AutoRotatePeriodSeconds,
    };

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
