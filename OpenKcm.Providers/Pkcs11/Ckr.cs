namespace OpenKcm.Providers.Pkcs11;

/// <summary>PKCS#11 v2.40 return values (CK_RV, pkcs11t.h) and their names.</summary>
public static class Ckr
{
    public const nuint Ok = 0x0;

    public const nuint Cancel = 0x1;

    public const nuint HostMemory = 0x2;

    public const nuint SlotIdInvalid = 0x3;

    public const nuint GeneralError = 0x5;

    public const nuint FunctionFailed = 0x6;

    public const nuint ArgumentsBad = 0x7;

    public const nuint NoEvent = 0x8;

    public const nuint NeedToCreateThreads = 0x9;

    public const nuint CantLock = 0xA;

    public const nuint AttributeReadOnly = 0x10;

    public const nuint AttributeSensitive = 0x11;

    public const nuint AttributeTypeInvalid = 0x12;

    public const nuint AttributeValueInvalid = 0x13;

    public const nuint ActionProhibited = 0x1B;

    public const nuint DataInvalid = 0x20;

    public const nuint DataLenRange = 0x21;

    public const nuint DeviceError = 0x30;

    public const nuint DeviceMemory = 0x31;

    public const nuint DeviceRemoved = 0x32;

    public const nuint EncryptedDataInvalid = 0x40;

    public const nuint EncryptedDataLenRange = 0x41;

    public const nuint FunctionCanceled = 0x50;

    public const nuint FunctionNotParallel = 0x51;

    public const nuint FunctionNotSupported = 0x54;

    public const nuint KeyHandleInvalid = 0x60;

    public const nuint KeySizeRange = 0x62;

    public const nuint KeyTypeInconsistent = 0x63;

    public const nuint KeyNotNeeded = 0x64;

    public const nuint KeyChanged = 0x65;

    public const nuint KeyNeeded = 0x66;

    public const nuint KeyIndigestible = 0x67;

    public const nuint KeyFunctionNotPermitted = 0x68;

    public const nuint KeyNotWrappable = 0x69;

    public const nuint KeyUnextractable = 0x6A;

    public const nuint MechanismInvalid = 0x70;

    public const nuint MechanismParamInvalid = 0x71;

    public const nuint ObjectHandleInvalid = 0x82;

    public const nuint OperationActive = 0x90;

    public const nuint OperationNotInitialized = 0x91;

    public const nuint PinIncorrect = 0xA0;

    public const nuint PinInvalid = 0xA1;

    public const nuint PinLenRange = 0xA2;

    public const nuint PinExpired = 0xA3;

    public const nuint PinLocked = 0xA4;

    public const nuint SessionClosed = 0xB0;

    public const nuint SessionCount = 0xB1;

    public const nuint SessionHandleInvalid = 0xB3;

    public const nuint SessionParallelNotSupported = 0xB4;

    public const nuint SessionReadOnly = 0xB5;

    public const nuint SessionExists = 0xB6;

    public const nuint SessionReadOnlyExists = 0xB7;

    public const nuint SessionReadWriteSoExists = 0xB8;

    public const nuint SignatureInvalid = 0xC0;

    public const nuint SignatureLenRange = 0xC1;

    public const nuint TemplateIncomplete = 0xD0;

    public const nuint TemplateInconsistent = 0xD1;

    public const nuint TokenNotPresent = 0xE0;

    public const nuint TokenNotRecognized = 0xE1;

    public const nuint TokenWriteProtected = 0xE2;

    public const nuint UnwrappingKeyHandleInvalid = 0xF0;

    public const nuint UnwrappingKeySizeRange = 0xF1;

    public const nuint UnwrappingKeyTypeInconsistent = 0xF2;

    public const nuint UserAlreadyLoggedIn = 0x100;

    public const nuint UserNotLoggedIn = 0x101;

    public const nuint UserPinNotInitialized = 0x102;

    public const nuint UserTypeInvalid = 0x103;

    public const nuint UserAnotherAlreadyLoggedIn = 0x104;

    public const nuint UserTooManyTypes = 0x105;

    public const nuint WrappedKeyInvalid = 0x110;

    public const nuint WrappedKeyLenRange = 0x112;

    public const nuint WrappingKeyHandleInvalid = 0x113;

    public const nuint WrappingKeySizeRange = 0x114;

    public const nuint WrappingKeyTypeInconsistent = 0x115;

    public const nuint RandomSeedNotSupported = 0x120;

    public const nuint RandomNoRng = 0x121;

    public const nuint DomainParamsInvalid = 0x130;

    public const nuint CurveNotSupported = 0x140;

    public const nuint BufferTooSmall = 0x150;

    public const nuint SavedStateInvalid = 0x160;

    public const nuint InformationSensitive = 0x170;

    public const nuint StateUnsaveable = 0x180;

    public const nuint CryptokiNotInitialized = 0x190;

    public const nuint CryptokiAlreadyInitialized = 0x191;

    public const nuint MutexBad = 0x1A0;

    public const nuint MutexNotLocked = 0x1A1;

    public const nuint NewPinMode = 0x1B0;

    public const nuint NextOtp = 0x1B1;

    public const nuint ExceededMaxIterations = 0x1B5;

    public const nuint FipsSelfTestFailed = 0x1B6;

    public const nuint LibraryLoadFailed = 0x1B7;

    public const nuint PinTooWeak = 0x1B8;

    public const nuint PublicKeyInvalid = 0x1B9;

    public const nuint FunctionRejected = 0x200;

    public const nuint VendorDefined = 0x80000000;

    /// <summary>The header name of <paramref name="code"/> (<c>CKR_PIN_INCORRECT</c>), or <c>CKR_VENDOR_DEFINED+0x..</c> / <c>CKR_0x..</c> for codes outside the table.</summary>
    public static string Name(nuint code) => code switch
    {
        Ok => "CKR_OK",
        Cancel => "CKR_CANCEL",
        HostMemory => "CKR_HOST_MEMORY",
        SlotIdInvalid => "CKR_SLOT_ID_INVALID",
        GeneralError => "CKR_GENERAL_ERROR",
        FunctionFailed => "CKR_FUNCTION_FAILED",
        ArgumentsBad => "CKR_ARGUMENTS_BAD",
        NoEvent => "CKR_NO_EVENT",
        NeedToCreateThreads => "CKR_NEED_TO_CREATE_THREADS",
        CantLock => "CKR_CANT_LOCK",
        AttributeReadOnly => "CKR_ATTRIBUTE_READ_ONLY",
        AttributeSensitive => "CKR_ATTRIBUTE_SENSITIVE",
        AttributeTypeInvalid => "CKR_ATTRIBUTE_TYPE_INVALID",
        AttributeValueInvalid => "CKR_ATTRIBUTE_VALUE_INVALID",
        ActionProhibited => "CKR_ACTION_PROHIBITED",
        DataInvalid => "CKR_DATA_INVALID",
        DataLenRange => "CKR_DATA_LEN_RANGE",
        DeviceError => "CKR_DEVICE_ERROR",
        DeviceMemory => "CKR_DEVICE_MEMORY",
        DeviceRemoved => "CKR_DEVICE_REMOVED",
        EncryptedDataInvalid => "CKR_ENCRYPTED_DATA_INVALID",
        EncryptedDataLenRange => "CKR_ENCRYPTED_DATA_LEN_RANGE",
        FunctionCanceled => "CKR_FUNCTION_CANCELED",
        FunctionNotParallel => "CKR_FUNCTION_NOT_PARALLEL",
        FunctionNotSupported => "CKR_FUNCTION_NOT_SUPPORTED",
        KeyHandleInvalid => "CKR_KEY_HANDLE_INVALID",
        KeySizeRange => "CKR_KEY_SIZE_RANGE",
        KeyTypeInconsistent => "CKR_KEY_TYPE_INCONSISTENT",
        KeyNotNeeded => "CKR_KEY_NOT_NEEDED",
        KeyChanged => "CKR_KEY_CHANGED",
        KeyNeeded => "CKR_KEY_NEEDED",
        KeyIndigestible => "CKR_KEY_INDIGESTIBLE",
        KeyFunctionNotPermitted => "CKR_KEY_FUNCTION_NOT_PERMITTED",
        KeyNotWrappable => "CKR_KEY_NOT_WRAPPABLE",
        KeyUnextractable => "CKR_KEY_UNEXTRACTABLE",
        MechanismInvalid => "CKR_MECHANISM_INVALID",
        MechanismParamInvalid => "CKR_MECHANISM_PARAM_INVALID",
        ObjectHandleInvalid => "CKR_OBJECT_HANDLE_INVALID",
        OperationActive => "CKR_OPERATION_ACTIVE",
        OperationNotInitialized => "CKR_OPERATION_NOT_INITIALIZED",
        PinIncorrect => "CKR_PIN_INCORRECT",
        PinInvalid => "CKR_PIN_INVALID",
        PinLenRange => "CKR_PIN_LEN_RANGE",
        PinExpired => "CKR_PIN_EXPIRED",
        PinLocked => "CKR_PIN_LOCKED",
        SessionClosed => "CKR_SESSION_CLOSED",
        SessionCount => "CKR_SESSION_COUNT",
        SessionHandleInvalid => "CKR_SESSION_HANDLE_INVALID",
        SessionParallelNotSupported => "CKR_SESSION_PARALLEL_NOT_SUPPORTED",
        SessionReadOnly => "CKR_SESSION_READ_ONLY",
        SessionExists => "CKR_SESSION_EXISTS",
        SessionReadOnlyExists => "CKR_SESSION_READ_ONLY_EXISTS",
        SessionReadWriteSoExists => "CKR_SESSION_READ_WRITE_SO_EXISTS",
        SignatureInvalid => "CKR_SIGNATURE_INVALID",
        SignatureLenRange => "CKR_SIGNATURE_LEN_RANGE",
        TemplateIncomplete => "CKR_TEMPLATE_INCOMPLETE",
        TemplateInconsistent => "CKR_TEMPLATE_INCONSISTENT",
        TokenNotPresent => "CKR_TOKEN_NOT_PRESENT",
        TokenNotRecognized => "CKR_TOKEN_NOT_RECOGNIZED",
        TokenWriteProtected => "CKR_TOKEN_WRITE_PROTECTED",
        UnwrappingKeyHandleInvalid => "CKR_UNWRAPPING_KEY_HANDLE_INVALID",
        UnwrappingKeySizeRange => "CKR_UNWRAPPING_KEY_SIZE_RANGE",
        UnwrappingKeyTypeInconsistent => "CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT",
        UserAlreadyLoggedIn => "CKR_USER_ALREADY_LOGGED_IN",
        UserNotLoggedIn => "CKR_USER_NOT_LOGGED_IN",
        UserPinNotInitialized => "CKR_USER_PIN_NOT_INITIALIZED",
        UserTypeInvalid => "CKR_USER_TYPE_INVALID",
        UserAnotherAlreadyLoggedIn => "CKR_USER_ANOTHER_ALREADY_LOGGED_IN",
        UserTooManyTypes => "CKR_USER_TOO_MANY_TYPES",
        WrappedKeyInvalid => "CKR_WRAPPED_KEY_INVALID",
        WrappedKeyLenRange => "CKR_WRAPPED_KEY_LEN_RANGE",
        WrappingKeyHandleInvalid => "CKR_WRAPPING_KEY_HANDLE_INVALID",
        WrappingKeySizeRange => "CKR_WRAPPING_KEY_SIZE_RANGE",
        WrappingKeyTypeInconsistent => "CKR_WRAPPING_KEY_TYPE_INCONSISTENT",
        RandomSeedNotSupported => "CKR_RANDOM_SEED_NOT_SUPPORTED",
        RandomNoRng => "CKR_RANDOM_NO_RNG",
        DomainParamsInvalid => "CKR_DOMAIN_PARAMS_INVALID",
        CurveNotSupported => "CKR_CURVE_NOT_SUPPORTED",
        BufferTooSmall => "CKR_BUFFER_TOO_SMALL",
        SavedStateInvalid => "CKR_SAVED_STATE_INVALID",
        InformationSensitive => "CKR_INFORMATION_SENSITIVE",
        StateUnsaveable => "CKR_STATE_UNSAVEABLE",
        CryptokiNotInitialized => "CKR_CRYPTOKI_NOT_INITIALIZED",
        CryptokiAlreadyInitialized => "CKR_CRYPTOKI_ALREADY_INITIALIZED",
        MutexBad => "CKR_MUTEX_BAD",
        MutexNotLocked => "CKR_MUTEX_NOT_LOCKED",
        NewPinMode => "CKR_NEW_PIN_MODE",
        NextOtp => "CKR_NEXT_OTP",
        ExceededMaxIterations => "CKR_EXCEEDED_MAX_ITERATIONS",
        FipsSelfTestFailed => "CKR_FIPS_SELF_TEST_FAILED",
        LibraryLoadFailed => "CKR_LIBRARY_LOAD_FAILED",
        PinTooWeak => "CKR_PIN_TOO_WEAK",
        PublicKeyInvalid => "CKR_PUBLIC_KEY_INVALID",
        FunctionRejected => "CKR_FUNCTION_REJECTED",
        >= VendorDefined => $"CKR_VENDOR_DEFINED+0x{code - VendorDefined:X}",
        _ => $"CKR_0x{code:X}",
    };
}
