namespace OpenKcm.Core.Operations;

/// <summary>An L1 key operation routed to a keystore.</summary>
public enum KeyOperationKind
{
    /// <summary>Encrypt L2 key material under the L1 key.</summary>
    Wrap,

    /// <summary>Decrypt what <see cref="Wrap"/> returned.</summary>
    Unwrap,
}
