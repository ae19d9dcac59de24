namespace OpenKcm.Providers.OpenBao;

/// <summary>The stable ids of the OpenBao Test Connection checks, in the order they run.</summary>
public static class OpenBaoCheckIds
{
    /// <summary>Reachable, initialized, unsealed, active (or standby) node, server version.</summary>
    public const string ServerHealth = "server_health";

    /// <summary>AppRole login with role_id and secret_id.</summary>
    public const string Authenticate = "authenticate";

    /// <summary>Token lookup-self then renew-self.</summary>
    public const string TokenLifecycle = "token_lifecycle";

    /// <summary>Transit key read: exists, encryption-capable type.</summary>
    public const string KeyAccess = "key_access";

    /// <summary>Encrypt then decrypt random bytes with associated data.</summary>
    public const string EncryptDecrypt = "encrypt_decrypt";

    /// <summary>An operation outside the least-privilege policy is refused.</summary>
    public const string PolicyEnforcement = "policy_enforcement";
}
