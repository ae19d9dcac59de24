namespace OpenKcm.Providers.Pkcs11;

/// <summary>C_GetInfo: the module (library) as it describes itself. Strings are trimmed of their blank padding.</summary>
public sealed record Pkcs11ModuleInfo(Version CryptokiVersion, string ManufacturerId, string LibraryDescription, Version LibraryVersion);
