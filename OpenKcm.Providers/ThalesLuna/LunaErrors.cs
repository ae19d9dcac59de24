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
        _ when ex.LoginRefusal != Pkcs11LoginRefusal.None => KeystoreErrorKind.AuthenticationFailed,
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
            : ex.LoginRefusal switch
            {
                Pkcs11LoginRefusal.RefusedEarlier => $"{operation}: partition '{partition}' already refused this PIN ({ex.CodeName}); "
                    + "it is not sent again, because HSMs lock a partition after a few failures.",
                Pkcs11LoginRefusal.DifferentPinLoggedIn => $"{operation}: this console is already logged in to partition '{partition}' "
                    + "with a different PIN (another keystore, or the previous version of this one), so the HSM cannot check this "
                    + "PIN and it was not sent. The PIN is not accepted as verified.",
                Pkcs11LoginRefusal.FinalTry => $"{operation}: partition '{partition}' reports CKF_USER_PIN_FINAL_TRY: one more wrong PIN "
                    + "locks it, so no login was tried.",
                _ => null,
            } ?? ex.Code switch
            {
                Ckr.PinIncorrect => $"{operation}: wrong PIN (CKR_PIN_INCORRECT), {PinNotRetried}.",
                Ckr.PinLocked => $"{operation}: partition '{partition}' is locked after too many wrong PINs (CKR_PIN_LOCKED).",
                Ckr.PinExpired => $"{operation}: the partition PIN has expired and must be changed (CKR_PIN_EXPIRED).",
                Ckr.TokenNotPresent => $"{operation}: partition '{partition}' is not available ({ex.Message}).",
                _ => $"{operation} on partition '{partition}' failed: {ex.Message}.",
            };
        return new KeystoreException(kind, message, ex)
        {
            VendorCode = ex.LoginRefusal == Pkcs11LoginRefusal.FinalTry ? "CKF_USER_PIN_FINAL_TRY" : ex.CodeName,
            Permission = kind == KeystoreErrorKind.PermissionDenied ? "CKA_ENCRYPT / CKA_DECRYPT with CKM_AES_GCM on the L1 key" : null,
        };
    }

    /// <summary>What the administrator should do about <paramref name="ex"/>.</summary>
    public static string Remedy(Pkcs11Exception ex, string partition) => ex.LoginRefusal switch
    {
        Pkcs11LoginRefusal.RefusedEarlier => "Check the partition's Crypto Officer PIN and enter the correct one (a different PIN is "
            + "tried once). If the PIN is right and the partition was reset meanwhile, restart the console to forget the refusal.",
        Pkcs11LoginRefusal.DifferentPinLoggedIn => $"If this PIN is a typo, enter the PIN the other keystore on '{partition}' uses. If "
            + "the PIN was changed on the HSM, deactivate the other keystores on this partition (or restart the console) so the "
            + "login ends, then test again: the new PIN is then checked by the HSM.",
        Pkcs11LoginRefusal.FinalTry => $"Verify the PIN with lunacm (role login -name co) on '{partition}' before storing it here, or "
            + "have the partition SO reset the Crypto Officer role (lunacm: role resetpw -name co).",
        _ => CodeRemedy(ex, partition),
    };

    private static string CodeRemedy(Pkcs11Exception ex, string partition) => ex.Code switch
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
