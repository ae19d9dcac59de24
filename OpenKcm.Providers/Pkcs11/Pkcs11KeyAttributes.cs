namespace OpenKcm.Providers.Pkcs11;

/// <summary>
/// The attributes of a key object that decide whether it may serve as an L1 key. A value is null when the token did not
/// reveal it (CKR_ATTRIBUTE_TYPE_INVALID / CKR_ATTRIBUTE_SENSITIVE for that attribute). Never holds CKA_VALUE.
/// </summary>
public sealed record Pkcs11KeyAttributes(
    nuint Handle,
    nuint? Class,
    nuint? KeyType,
    string? Label,
    long? ValueLength,
    bool? Token,
    bool? Sensitive,
    bool? Extractable,
    bool? AlwaysSensitive,
    bool? NeverExtractable,
    bool? Encrypt,
    bool? Decrypt,
    bool? Wrap,
    bool? Unwrap);
