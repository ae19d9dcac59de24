using OpenKcm.Core.Plugins;
using OpenKcm.Providers.Pkcs11;

namespace OpenKcm.Providers.ThalesLuna;

/// <summary>Maps PKCS#11 answers to <see cref="KeystoreException"/> kinds, with a remedy for Test Connection.</summary>
internal static class LunaErrors
{
    public const string PinNotRetried = "not retried: HSMs lock a partition after a few failures";

    public static KeystoreErrorKind Kind(Pkcs11Exception ex) => ex.Code switch
    {
        _ when ex.IsAuthenticationTagFailure => KeystoreErrorKind.InvalidResponse,
        Ckr.PinIncorrect or Ckr.PinLocked or Ckr.PinExpired or Ckr.PinInvalid or Ckr.PinLenRange
            or Ckr.UserPinNotInitialized or Ckr.UserNotLoggedIn or Ckr.UserTypeInvalid => KeystoreErrorKind.AuthenticationFailed,
        Ckr.KeyHandleInvalid or Ckr.ObjectHandleInvalid => KeystoreErrorKind.KeyNotFound,
        Ckr.KeyFunctionNotPermitted or Ckr.KeyTypeInconsistent or Ckr.KeySizeRange or Ckr.MechanismInvalid
            or Ckr.MechanismParamInvalid or Ckr.FunctionNotSupported => KeystoreErrorKind.PermissionDenied,
        Ckr.EncryptedDataInvalid or Ckr.EncryptedDataLenRange => KeystoreErrorKind.InvalidResponse,
        Ckr.DeviceError or Ckr.DeviceRemoved or Ckr.DeviceMemory or Ckr.HostMemory or Ckr.GeneralError or Ckr.FunctionFailed
            or Ckr.TokenNotPresent or Ckr.TokenNotRecognized or Ckr.SlotIdInvalid or Ckr.SessionCount or Ckr.SessionHandleInvalid
            or Ckr.SessionClosed or Ckr.CryptokiNotInitialized => KeystoreErrorKind.Unavailable,
        _ => KeystoreErrorKind.InvalidResponse,
    };

    /// <summary>A <see cref="KeystoreException"/> for <paramref name="ex"/> during <paramref name="operation"/> (never with a secret).</summary>
    public static KeystoreException From(Pkcs11Exception ex, string operation, string keyLabel, string partition)
    {
        var kind = Kind(ex);
        var message = ex.IsAuthenticationTagFailure
            ? $"{operation}: the HSM refused the value: its AES-GCM tag does not verify under key '{keyLabel}' (wrong associated "
                + "data, a damaged value, or one wrapped under another key)."
            : ex.Code switch
            {
                Ckr.PinIncorrect => $"{operation}: wrong PIN (CKR_PIN_INCORRECT), {PinNotRetried}.",
                Ckr.PinLocked => $"{operation}: partition '{partition}' is locked after too many wrong PINs (CKR_PIN_LOCKED).",
                Ckr.PinExpired => $"{operation}: the partition PIN has expired and must be changed (CKR_PIN_EXPIRED).",
                Ckr.TokenNotPresent => $"{operation}: partition '{partition}' is not available ({ex.Message}).",
                _ => $"{operation} on partition '{partition}' failed: {ex.Message}.",
            };
        return new KeystoreException(kind, message, ex)
        {
            VendorCode = ex.CodeName,
            Permission = kind == KeystoreErrorKind.PermissionDenied ? "CKA_ENCRYPT / CKA_DECRYPT with CKM_AES_GCM on the L1 key" : null,
        };
    }

    /// <summary>What the administrator should do about <paramref name="ex"/>.</summary>
    public static string Remedy(Pkcs11Exception ex, string partition) => ex.Code switch
    {
        Ckr.PinIncorrect => "Check the partition's Crypto Officer PIN and enter it again. Test again only once you are sure: "
            + "the partition locks after a few wrong PINs.",
        Ckr.PinLocked => $"Have the partition's SO reset the Crypto Officer role (lunacm: role resetpw -name co) on '{partition}', then store the new PIN.",
        Ckr.PinExpired => "Log in once with lunacm (role login -name co) to change the PIN, then store the new PIN here.",
        Ckr.UserPinNotInitialized => "Initialize the Crypto Officer role on the partition (lunacm: role init -name co).",
        Ckr.TokenNotPresent or Ckr.DeviceRemoved or Ckr.DeviceError => "Check the appliance and the NTLS link (lunacm: slot list; "
            + "vtl verify), then test again.",
        _ => "Check the partition and the Luna client (lunacm: slot list, vtl verify) and test again; the code names the cause.",
    };
}
