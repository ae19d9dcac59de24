namespace OpenKcm.Providers.Pkcs11;

/// <summary>Why a PKCS#11 module could not be loaded (see <see cref="Pkcs11ModuleException"/>).</summary>
public enum Pkcs11LoadFailure
{
    /// <summary>Empty, relative or otherwise unusable path.</summary>
    InvalidPath,

    /// <summary>Nothing at the path.</summary>
    NotFound,

    /// <summary>A directory or a special file, not a regular file.</summary>
    NotAFile,

    /// <summary>The file could not be read (permissions).</summary>
    Unreadable,

    /// <summary>Not an ELF shared object (a text file, an executable, an archive...).</summary>
    NotASharedObject,

    /// <summary>An ELF shared object for another architecture or word size than this process.</summary>
    WrongArchitecture,

    /// <summary>The dynamic loader refused it (missing dependencies, PIE executable...).</summary>
    LoadFailed,

    /// <summary>A shared library without <c>C_GetFunctionList</c>, or one whose function list is unusable.</summary>
    NotPkcs11,

    /// <summary>C_Initialize failed.</summary>
    InitializeFailed,
}
