namespace OpenKcm.Providers.Pkcs11;

/// <summary>The PKCS#11 v2.40 constants this layer uses (values from pkcs11t.h).</summary>
public static class Ck
{
    /// <summary>CK_UNAVAILABLE_INFORMATION: an attribute length the token will not or cannot reveal.</summary>
    public static readonly nuint UnavailableInformation = nuint.MaxValue;

    // C_Initialize flags
    public const nuint CkfOsLockingOk = 0x2;

    // Session flags
    public const nuint CkfRwSession = 0x2;
    public const nuint CkfSerialSession = 0x4;

    // Token flags
    public const nuint CkfTokenPresent = 0x1;
    public const nuint CkfLoginRequired = 0x4;
    public const nuint CkfUserPinInitialized = 0x8;
    public const nuint CkfTokenInitialized = 0x400;
    public const nuint CkfUserPinCountLow = 0x10000;
    public const nuint CkfUserPinFinalTry = 0x20000;
    public const nuint CkfUserPinLocked = 0x40000;
    public const nuint CkfUserPinToBeChanged = 0x80000;

    // Mechanism flags
    public const nuint CkfEncrypt = 0x100;
    public const nuint CkfDecrypt = 0x200;

    // User types
    public const nuint CkuSo = 0;
    public const nuint CkuUser = 1;

    // Object classes
    public const nuint CkoData = 0;
    public const nuint CkoSecretKey = 4;

    // Key types
    public const nuint CkkGenericSecret = 0x10;
    public const nuint CkkAes = 0x1F;

    // Attributes
    public const nuint CkaClass = 0x0;
    public const nuint CkaToken = 0x1;
    public const nuint CkaPrivate = 0x2;
    public const nuint CkaLabel = 0x3;
    public const nuint CkaValue = 0x11;
    public const nuint CkaKeyType = 0x100;
    public const nuint CkaId = 0x102;
    public const nuint CkaSensitive = 0x103;
    public const nuint CkaEncrypt = 0x104;
    public const nuint CkaDecrypt = 0x105;
    public const nuint CkaWrap = 0x106;
    public const nuint CkaUnwrap = 0x107;
    public const nuint CkaValueLen = 0x161;
    public const nuint CkaExtractable = 0x162;
    public const nuint CkaNeverExtractable = 0x164;
    public const nuint CkaAlwaysSensitive = 0x165;

    // Mechanisms
    public const nuint CkmAesKeyGen = 0x1080;
    public const nuint CkmAesGcm = 0x1087;
    public const nuint CkmGenericSecretKeyGen = 0x350;

    /// <summary>The AES-GCM IV length this layer uses: 96 bits (NIST SP 800-38D's recommended length).</summary>
    public const int GcmIvLength = 12;

    /// <summary>The AES-GCM tag length this layer uses: 128 bits.</summary>
    public const int GcmTagLength = 16;

    /// <summary>A readable name for an object class, key type or mechanism value, for messages.</summary>
    public static string KeyTypeName(nuint keyType) => keyType switch
    {
        0x0 => "CKK_RSA",
        0x3 => "CKK_EC",
        CkkGenericSecret => "CKK_GENERIC_SECRET",
        0x13 => "CKK_DES3",
        CkkAes => "CKK_AES",
        _ => $"0x{keyType:X}",
    };
}
