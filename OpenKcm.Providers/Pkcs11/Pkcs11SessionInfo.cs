namespace OpenKcm.Providers.Pkcs11;

/// <summary>C_GetSessionInfo. <see cref="State"/> 3 = CKS_RW_USER_FUNCTIONS (read-write, user logged in), 2 = read-only user.</summary>
public sealed record Pkcs11SessionInfo(nuint SlotId, nuint State, nuint Flags, nuint DeviceError)
{
    /// <summary>CKS_RO_USER_FUNCTIONS or CKS_RW_USER_FUNCTIONS: the normal user is logged in.</summary>
    public bool UserLoggedIn => State is 1 or 3;
}
