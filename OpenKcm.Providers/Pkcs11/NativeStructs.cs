using System.Runtime.InteropServices;

#pragma warning disable SA1307, IDE1006 // Field names follow the PKCS#11 header so the layouts can be checked against it.

namespace OpenKcm.Providers.Pkcs11;

// Linux x64 (LP64) layouts of the PKCS#11 v2.40 structures: CK_ULONG, handles and flags are 8 bytes (nuint), CK_BBOOL
// and CK_BYTE are 1 byte, natural alignment (no packing; Windows would use 4-byte ULONG and pack 1). Sizes and offsets
// are asserted in the tests (Pkcs11LayoutTests) against the values computed from the C header.

/// <summary>CK_VERSION: 2 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CkVersion
{
    public byte major;
    public byte minor;
}

/// <summary>CK_ATTRIBUTE: type, pValue, ulValueLen — 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CkAttribute
{
    public nuint type;
    public nint pValue;
    public nuint ulValueLen;
}

/// <summary>CK_MECHANISM: mechanism, pParameter, ulParameterLen — 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CkMechanism
{
    public nuint mechanism;
    public nint pParameter;
    public nuint ulParameterLen;
}

/// <summary>CK_GCM_PARAMS (v2.40 errata, with ulIvBits): 48 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CkGcmParams
{
    public nint pIv;
    public nuint ulIvLen;
    public nuint ulIvBits;
    public nint pAAD;
    public nuint ulAADLen;
    public nuint ulTagBits;
}

/// <summary>CK_INFO: 88 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkInfo
{
    public CkVersion cryptokiVersion;
    public fixed byte manufacturerID[32];
    public nuint flags;
    public fixed byte libraryDescription[32];
    public CkVersion libraryVersion;
}

/// <summary>CK_SLOT_INFO: 112 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkSlotInfo
{
    public fixed byte slotDescription[64];
    public fixed byte manufacturerID[32];
    public nuint flags;
    public CkVersion hardwareVersion;
    public CkVersion firmwareVersion;
}

/// <summary>CK_TOKEN_INFO: 208 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkTokenInfo
{
    public fixed byte label[32];
    public fixed byte manufacturerID[32];
    public fixed byte model[16];
    public fixed byte serialNumber[16];
    public nuint flags;
    public nuint ulMaxSessionCount;
    public nuint ulSessionCount;
    public nuint ulMaxRwSessionCount;
    public nuint ulRwSessionCount;
    public nuint ulMaxPinLen;
    public nuint ulMinPinLen;
    public nuint ulTotalPublicMemory;
    public nuint ulFreePublicMemory;
    public nuint ulTotalPrivateMemory;
    public nuint ulFreePrivateMemory;
    public CkVersion hardwareVersion;
    public CkVersion firmwareVersion;
    public fixed byte utcTime[16];
}

/// <summary>CK_MECHANISM_INFO: 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CkMechanismInfo
{
    public nuint ulMinKeySize;
    public nuint ulMaxKeySize;
    public nuint flags;
}

/// <summary>CK_SESSION_INFO: 32 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CkSessionInfo
{
    public nuint slotID;
    public nuint state;
    public nuint flags;
    public nuint ulDeviceError;
}

/// <summary>CK_C_INITIALIZE_ARGS: four mutex callbacks, flags, pReserved — 48 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CkInitializeArgs
{
    public nint createMutex;
    public nint destroyMutex;
    public nint lockMutex;
    public nint unlockMutex;
    public nuint flags;
    public nint pReserved;
}
