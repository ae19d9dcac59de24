namespace OpenKcm.Providers.OpenBao;

/// <summary>What a Vault HTTP request does; drives how its error statuses are interpreted.</summary>
internal enum VaultOperation
{
    Health,
    Login,
    LookupSelf,
    RenewSelf,
    ReadKey,
    Encrypt,
    Decrypt,
    ListKeys,
}
