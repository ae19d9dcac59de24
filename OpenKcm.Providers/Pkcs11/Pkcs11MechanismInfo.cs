namespace OpenKcm.Providers.Pkcs11;

/// <summary>C_GetMechanismInfo. Key sizes are in bytes for AES (the mechanism defines the unit).</summary>
public sealed record Pkcs11MechanismInfo(nuint Mechanism, nuint MinKeySize, nuint MaxKeySize, nuint Flags)
{
    public bool CanEncrypt => (Flags & Ck.CkfEncrypt) != 0;

    public bool CanDecrypt => (Flags & Ck.CkfDecrypt) != 0;
}
