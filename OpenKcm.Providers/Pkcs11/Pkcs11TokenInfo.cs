namespace OpenKcm.Providers.Pkcs11;

/// <summary>
/// C_GetTokenInfo for the token in one slot. Strings are trimmed of their blank padding. Counts are null when the token
/// answers CK_UNAVAILABLE_INFORMATION. PKCS#11 has no field for a FIPS validation level: Luna reports it through its
/// own tools and vendor extensions, not here.
/// </summary>
public sealed record Pkcs11TokenInfo(
    nuint SlotId,
    string Label,
    string ManufacturerId,
    string Model,
    string SerialNumber,
    nuint Flags,
    long? SessionCount,
    long? MaxSessionCount,
    long? RwSessionCount,
    Version HardwareVersion,
    Version FirmwareVersion)
{
    public bool UserPinLocked => (Flags & Ck.CkfUserPinLocked) != 0;

    /// <summary>CKF_USER_PIN_COUNT_LOW: a wrong PIN was entered since the last successful login.</summary>
    public bool UserPinCountLow => (Flags & Ck.CkfUserPinCountLow) != 0;

    /// <summary>CKF_USER_PIN_FINAL_TRY: one more wrong PIN locks the user (on Luna: the partition's Crypto Officer).</summary>
    public bool UserPinFinalTry => (Flags & Ck.CkfUserPinFinalTry) != 0;

    public bool UserPinInitialized => (Flags & Ck.CkfUserPinInitialized) != 0;
}
