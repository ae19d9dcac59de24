using System.Runtime.InteropServices;

#pragma warning disable SA1307, IDE1006 // Field names follow the PKCS#11 header.

namespace OpenKcm.Providers.Pkcs11;

/// <summary>
/// CK_FUNCTION_LIST (v2.40): a CK_VERSION padded to 8 bytes, then 68 function pointers in the header's order. The module
/// owns it and it stays valid while the library is loaded; it is never freed or written by us. Every function returns a
/// CK_RV (8 bytes) and is called with the C calling convention.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkFunctionList
{
    /// <summary>Number of function pointers that follow <see cref="version"/>.</summary>
    public const int FunctionCount = 68;

    public CkVersion version;
    public delegate* unmanaged[Cdecl]<CkInitializeArgs*, nuint> C_Initialize;
    public delegate* unmanaged[Cdecl]<nint, nuint> C_Finalize;
    public delegate* unmanaged[Cdecl]<CkInfo*, nuint> C_GetInfo;
    public nint C_GetFunctionList;
    public delegate* unmanaged[Cdecl]<byte, nuint*, nuint*, nuint> C_GetSlotList;
    public delegate* unmanaged[Cdecl]<nuint, CkSlotInfo*, nuint> C_GetSlotInfo;
    public delegate* unmanaged[Cdecl]<nuint, CkTokenInfo*, nuint> C_GetTokenInfo;
    public delegate* unmanaged[Cdecl]<nuint, nuint*, nuint*, nuint> C_GetMechanismList;
    public delegate* unmanaged[Cdecl]<nuint, nuint, CkMechanismInfo*, nuint> C_GetMechanismInfo;
    public nint C_InitToken;
    public nint C_InitPIN;
    public nint C_SetPIN;
    public delegate* unmanaged[Cdecl]<nuint, nuint, nint, nint, nuint*, nuint> C_OpenSession;
    public delegate* unmanaged[Cdecl]<nuint, nuint> C_CloseSession;
    public delegate* unmanaged[Cdecl]<nuint, nuint> C_CloseAllSessions;
    public delegate* unmanaged[Cdecl]<nuint, CkSessionInfo*, nuint> C_GetSessionInfo;
    public nint C_GetOperationState;
    public nint C_SetOperationState;
    public delegate* unmanaged[Cdecl]<nuint, nuint, byte*, nuint, nuint> C_Login;
    public delegate* unmanaged[Cdecl]<nuint, nuint> C_Logout;
    public nint C_CreateObject;
    public nint C_CopyObject;
    public delegate* unmanaged[Cdecl]<nuint, nuint, nuint> C_DestroyObject;
    public nint C_GetObjectSize;
    public delegate* unmanaged[Cdecl]<nuint, nuint, CkAttribute*, nuint, nuint> C_GetAttributeValue;
    public nint C_SetAttributeValue;
    public delegate* unmanaged[Cdecl]<nuint, CkAttribute*, nuint, nuint> C_FindObjectsInit;
    public delegate* unmanaged[Cdecl]<nuint, nuint*, nuint, nuint*, nuint> C_FindObjects;
    public delegate* unmanaged[Cdecl]<nuint, nuint> C_FindObjectsFinal;
    public delegate* unmanaged[Cdecl]<nuint, CkMechanism*, nuint, nuint> C_EncryptInit;
    public delegate* unmanaged[Cdecl]<nuint, byte*, nuint, byte*, nuint*, nuint> C_Encrypt;
    public nint C_EncryptUpdate;
    public nint C_EncryptFinal;
    public delegate* unmanaged[Cdecl]<nuint, CkMechanism*, nuint, nuint> C_DecryptInit;
    public delegate* unmanaged[Cdecl]<nuint, byte*, nuint, byte*, nuint*, nuint> C_Decrypt;
    public nint C_DecryptUpdate;
    public nint C_DecryptFinal;
    public nint C_DigestInit;
    public nint C_Digest;
    public nint C_DigestUpdate;
    public nint C_DigestKey;
    public nint C_DigestFinal;
    public nint C_SignInit;
    public nint C_Sign;
    public nint C_SignUpdate;
    public nint C_SignFinal;
    public nint C_SignRecoverInit;
    public nint C_SignRecover;
    public nint C_VerifyInit;
    public nint C_Verify;
    public nint C_VerifyUpdate;
    public nint C_VerifyFinal;
    public nint C_VerifyRecoverInit;
    public nint C_VerifyRecover;
    public nint C_DigestEncryptUpdate;
    public nint C_DecryptDigestUpdate;
    public nint C_SignEncryptUpdate;
    public nint C_DecryptVerifyUpdate;
    public delegate* unmanaged[Cdecl]<nuint, CkMechanism*, CkAttribute*, nuint, nuint*, nuint> C_GenerateKey;
    public nint C_GenerateKeyPair;
    public nint C_WrapKey;
    public nint C_UnwrapKey;
    public nint C_DeriveKey;
    public nint C_SeedRandom;
    public delegate* unmanaged[Cdecl]<nuint, byte*, nuint, nuint> C_GenerateRandom;
    public nint C_GetFunctionStatus;
    public nint C_CancelFunction;
    public nint C_WaitForSlotEvent;
}
