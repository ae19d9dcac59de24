namespace OpenKcm.Providers.OpenBao;

/// <summary>The useful part of <c>GET /v1/&lt;mount&gt;/keys/&lt;name&gt;</c>.</summary>
internal sealed record TransitKeyInfo(
    string Type,
    bool SupportsEncryption,
    bool SupportsDecryption,
    bool Derived,
    bool Exportable,
    bool DeletionAllowed,
    bool AllowPlaintextBackup,
    int LatestVersion)
{
    /// <summary>Types that take associated data (OpenKCM binds each wrapped key to its owner with it).</summary>
    public bool IsAead => Type is "aes256-gcm96" or "aes128-gcm96" or "chacha20-poly1305" or "xchacha20-poly1305";
}
