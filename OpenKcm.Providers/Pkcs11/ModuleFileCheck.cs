using System.Runtime.InteropServices;

namespace OpenKcm.Providers.Pkcs11;

/// <summary>
/// Checks a module path before the dynamic loader sees it: an absolute path to a regular, readable ELF shared object
/// for this process's architecture. Reading 64 bytes of a file runs none of its code, so every bad input here is a
/// typed <see cref="Pkcs11ModuleException"/> and never a crash.
/// </summary>
internal static class ModuleFileCheck
{
    private const int ElfHeaderLength = 64;
    private const ushort EtDyn = 3;
    private const ushort EmX8664 = 62;
    private const ushort EmAArch64 = 183;

    /// <summary>The full path of a module that passed every check.</summary>
    /// <exception cref="Pkcs11ModuleException">The path is unusable; <see cref="Pkcs11ModuleException.Failure"/> says why.</exception>
    public static string Check(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.InvalidPath, path ?? "", "The PKCS#11 library path is empty.");
        }

        if (!Path.IsPathFullyQualified(path))
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.InvalidPath, path,
                $"The PKCS#11 library path '{path}' is not absolute; give the full path of the .so file.");
        }

        var full = Path.GetFullPath(path);

        // Devices and kernel files can block or never end on read; no PKCS#11 module lives there.
        if (full.StartsWith("/dev/", StringComparison.Ordinal) || full.StartsWith("/proc/", StringComparison.Ordinal)
            || full.StartsWith("/sys/", StringComparison.Ordinal))
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.NotAFile, path, $"'{path}' is not a regular file.");
        }

        if (Directory.Exists(full))
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.NotAFile, path,
                $"'{path}' is a directory; give the path of the PKCS#11 library file inside it (a .so file).");
        }

        var info = new FileInfo(full);
        if (!info.Exists)
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.NotFound, path,
                $"No file at '{path}'. Install the HSM vendor's client (for Luna: the Luna client's libCryptoki2_64.so) or correct the path.");
        }

        // A FIFO or device reports length 0: refused here, before an open that could block.
        if (info.Length < ElfHeaderLength)
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.NotASharedObject, path,
                $"'{path}' is not a shared library ({info.Length} bytes; a PKCS#11 module is an ELF .so file).");
        }

        Span<byte> header = stackalloc byte[ElfHeaderLength];
        try
        {
            using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            stream.ReadExactly(header);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.Unreadable, path,
                $"'{path}' cannot be read by the console's user ({ex.GetType().Name}); check its permissions.", ex);
        }

        if (header[0] != 0x7F || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.NotASharedObject, path,
                $"'{path}' is not an ELF shared library (a PKCS#11 module is a .so file such as libCryptoki2_64.so).");
        }

        var is64 = header[4] == 2;
        var littleEndian = header[5] == 1;
        if (is64 != Environment.Is64BitProcess || !littleEndian)
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.WrongArchitecture, path,
                $"'{path}' is a {(is64 ? "64" : "32")}-bit {(littleEndian ? "little" : "big")}-endian library; this console needs a "
                + $"{(Environment.Is64BitProcess ? "64" : "32")}-bit little-endian one (for Luna: libCryptoki2_64.so).");
        }

        var type = (ushort)(header[16] | (header[17] << 8));
        var machine = (ushort)(header[18] | (header[19] << 8));
        if (type != EtDyn)
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.NotASharedObject, path,
                $"'{path}' is an ELF file but not a shared library (ELF type {type}).");
        }

        var expected = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => EmX8664,
            Architecture.Arm64 => EmAArch64,
            _ => machine,
        };
        if (machine != expected)
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.WrongArchitecture, path,
                $"'{path}' is built for another processor (ELF machine {machine}); this console runs on {RuntimeInformation.ProcessArchitecture}.");
        }

        return full;
    }
}
