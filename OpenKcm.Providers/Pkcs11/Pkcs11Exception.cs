namespace OpenKcm.Providers.Pkcs11;

/// <summary>
/// A PKCS#11 function returned something other than CKR_OK. The message names the function and the CKR code with its
/// header name (<c>C_Login: CKR_PIN_INCORRECT (0xA0)</c>); it never contains a PIN, key material or data.
/// </summary>
public sealed class Pkcs11Exception : Exception
{
    public Pkcs11Exception(string function, nuint code, string? context = null)
        : base($"{function}: {Ckr.Name(code)} (0x{code:X}){(context is null ? "" : " — " + context)}")
    {
        Function = function;
        Code = code;
    }

    /// <summary>The function that failed, e.g. <c>C_Decrypt</c>.</summary>
    public string Function { get; }

    /// <summary>The CK_RV value (see <see cref="Ckr"/>).</summary>
    public nuint Code { get; }

    /// <summary>The header name of <see cref="Code"/>.</summary>
    public string CodeName => Ckr.Name(Code);

    /// <summary>
    /// True when an AES-GCM decryption was refused because the tag did not verify (wrong key, changed ciphertext or
    /// associated data) while the session stayed usable: not a device failure, nothing to reinitialize or retry.
    /// </summary>
    public bool IsAuthenticationTagFailure { get; init; }

    /// <summary>
    /// Why C_Login was not sent at all (<see cref="Pkcs11LoginRefusal.None"/> when the token itself answered): the PIN
    /// was refused earlier in this process, another PIN is logged in, or the token is at its final try.
    /// </summary>
    public Pkcs11LoginRefusal LoginRefusal { get; init; }

    /// <summary>
    /// True for the PIN answers that must never be retried automatically (the token counts failures and locks), and for
    /// every login this process refused to send (<see cref="LoginRefusal"/>).
    /// </summary>
    public bool IsPinFailure => LoginRefusal != Pkcs11LoginRefusal.None || Code is Ckr.PinIncorrect or Ckr.PinLocked or Ckr.PinExpired or Ckr.PinInvalid
        or Ckr.PinLenRange or Ckr.UserPinNotInitialized;

    /// <summary>True when the session is gone or lost its login (reopen and log in again).</summary>
    public bool IsSessionLost => Code is Ckr.SessionHandleInvalid or Ckr.SessionClosed or Ckr.UserNotLoggedIn;

    /// <summary>
    /// True when the module itself may be broken (CKR_DEVICE_ERROR, CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT,
    /// CKR_CRYPTOKI_NOT_INITIALIZED, or CKR_GENERAL_ERROR that is not an <see cref="IsAuthenticationTagFailure"/>): the
    /// session pool reinitializes the module.
    /// </summary>
    public bool IsModuleFailure => !IsAuthenticationTagFailure && Code is Ckr.DeviceError or Ckr.GeneralError
        or Ckr.DeviceRemoved or Ckr.TokenNotPresent or Ckr.CryptokiNotInitialized;
}

/// <summary>Why a login was refused before C_Login was sent.</summary>
public enum Pkcs11LoginRefusal
{
    /// <summary>C_Login was sent; the code is the token's answer.</summary>
    None,

    /// <summary>
    /// The token refused this PIN earlier in this process (CKR_PIN_INCORRECT, ...): it is not sent again, whichever pool,
    /// connection or Test Connection asks, because HSMs lock a partition after a few failures. A different PIN is tried.
    /// </summary>
    RefusedEarlier,

    /// <summary>
    /// This process is already logged in to the token (login state is per application and token) with a different PIN,
    /// so the token would answer CKR_USER_ALREADY_LOGGED_IN without checking this one: it cannot be verified.
    /// </summary>
    DifferentPinLoggedIn,

    /// <summary>The token reports CKF_USER_PIN_FINAL_TRY: one more wrong PIN locks it, so no login is tried.</summary>
    FinalTry,
}
