namespace OpenKcm.Providers.Pkcs11;

/// <summary>C_GetSlotInfo for one slot. Strings are trimmed of their blank padding.</summary>
public sealed record Pkcs11SlotInfo(nuint SlotId, string Description, string ManufacturerId, nuint Flags, Version HardwareVersion, Version FirmwareVersion)
{
    /// <summary>CKF_TOKEN_PRESENT.</summary>
    public bool TokenPresent => (Flags & Ck.CkfTokenPresent) != 0;
}
