namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// The OpenBao configuration field names, exactly as in the seed JSON (<c>"configuration": {...}</c>), so the wizard,
/// JSON import/export and tests share one spelling.
/// </summary>
public static class OpenBaoFieldNames
{
    public const string VaultAddress = "vault_address";
    public const string AuthMethod = "auth_method";
    public const string RoleId = "role_id";

    /// <summary>Secret field: kept in the credential vault. Exactly one of this and <see cref="SecretIdPath"/>.</summary>
    public const string SecretId = "secret_id";

    /// <summary>A file on the console host holding the secret_id, read at every login.</summary>
    public const string SecretIdPath = "secret_id_path";
    public const string MountPath = "mount_path";
    public const string KeyName = "key_name";
    public const string Namespace = "namespace";
    public const string CaCertificate = "ca_certificate";

    /// <summary>The only supported <see cref="AuthMethod"/> value.</summary>
    public const string AppRole = "approle";
}
