namespace OpenKcm.Sandbox.OpenBao.Policies;

/// <summary>ACL capabilities as Vault names them in policies.</summary>
[Flags]
internal enum Capabilities
{
    None = 0,
    Deny = 1,
    Create = 1 << 1,
    Read = 1 << 2,
    Update = 1 << 3,
    Delete = 1 << 4,
    List = 1 << 5,
    Sudo = 1 << 6,
    Patch = 1 << 7,
    Subscribe = 1 << 8,
}
