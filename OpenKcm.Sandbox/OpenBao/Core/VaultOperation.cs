namespace OpenKcm.Sandbox.OpenBao.Core;

/// <summary>The logical operations Vault maps HTTP verbs onto (and that ACL capabilities are named after).</summary>
internal enum VaultOperation
{
    Read,
    List,
    Create,
    Update,
    Delete,
}
