namespace OpenKcm.Providers.ThalesLuna;

/// <summary>The stable ids of the Thales Luna Test Connection checks, in the order they run.</summary>
public static class ThalesLunaCheckIds
{
    /// <summary>Client certificate, its private key and the CA: parse, validity, key match, issued by the CA.</summary>
    public const string ClientCertificates = "client_certificates";

    /// <summary>TCP connect to every appliance's NTLS port: online / standby / offline with latency.</summary>
    public const string NetworkConnectivity = "network_connectivity";

    /// <summary>Module loads, C_GetInfo, the partition's token is present, CKM_AES_GCM with 256-bit keys.</summary>
    public const string Pkcs11Interface = "pkcs11_interface";

    /// <summary>C_Login as the Crypto Officer (CKU_USER), never retried.</summary>
    public const string Login = "login";

    /// <summary>Exactly one AES-256 secret key with the label, encrypt+decrypt, sensitive and not extractable.</summary>
    public const string KeyAccess = "key_access";

    /// <summary>AES-256-GCM round trip with a caller-supplied IV and AAD; a changed AAD must be refused.</summary>
    public const string EncryptDecrypt = "encrypt_decrypt";

    /// <summary>p95 of a batch of round trips against the 50 ms budget.</summary>
    public const string Latency = "latency";
}
