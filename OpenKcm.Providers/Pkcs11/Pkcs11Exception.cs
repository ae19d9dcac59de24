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

    /// <summary>True for the PIN answers that must never be retried automatically (the token counts failures and locks).</summary>
    public bool IsPinFailure => Code is Ckr.PinIncorrect or Ckr.PinLocked or Ckr.PinExpired or Ckr.PinInvalid
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
