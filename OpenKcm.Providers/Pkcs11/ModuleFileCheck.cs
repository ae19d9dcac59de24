using System.Buffers.Binary;
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

    /// <summary>The full path of a module that passed every check, symbolic links resolved (one module per file, whatever the path).</summary>
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
        if (info.Exists && info.LinkTarget is not null)
        {
            // Libraries are usually symbolic links (libz.so.1 -> libz.so.1.2.13): check the file they lead to.
            var target = File.ResolveLinkTarget(full, returnFinalTarget: true);
            info = target is null ? new FileInfo(full) : new FileInfo(target.FullName);
        }

        if (!info.Exists && Directory.Exists(info.FullName))
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.NotAFile, path, $"'{path}' leads to a directory, not a library file.");
        }

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
        FileStream stream;
        try
        {
            stream = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
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

        using (stream)
        {
            CheckSegments(path, stream, header);
        }

        return info.FullName;
    }

    /// <summary>
    /// Every program header and every PT_LOAD segment must lie inside the file: the loader maps segments beyond the end
    /// of a truncated file and the process dies of SIGBUS when it touches them (observed with a cut-off libz).
    /// </summary>
    private static void CheckSegments(string path, FileStream stream, ReadOnlySpan<byte> header)
    {
        const int PtLoad = 1;
        const int PtDynamic = 2;
        var length = stream.Length;
        var phoff = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
        var shoff = BinaryPrimitives.ReadUInt64LittleEndian(header[40..]);
        var phentsize = BinaryPrimitives.ReadUInt16LittleEndian(header[54..]);
        var phnum = BinaryPrimitives.ReadUInt16LittleEndian(header[56..]);
        var shentsize = BinaryPrimitives.ReadUInt16LittleEndian(header[58..]);
        var shnum = BinaryPrimitives.ReadUInt16LittleEndian(header[60..]);
        var damaged = new Pkcs11ModuleException(Pkcs11LoadFailure.NotASharedObject, path,
            $"'{path}' is a damaged or truncated ELF file ({length} bytes): its headers point past its end. Reinstall the HSM client.");
        if (phentsize < 56 || phnum == 0 || phoff > (ulong)length || phoff + ((ulong)phentsize * phnum) > (ulong)length
            || (shnum > 0 && (shoff > (ulong)length || shoff + ((ulong)shentsize * shnum) > (ulong)length)))
        {
            throw damaged;
        }

        var table = new byte[phentsize * phnum];
        stream.Position = (long)phoff;
        stream.ReadExactly(table);
        var hasDynamic = false;
        for (var i = 0; i < phnum; i++)
        {
            var entry = table.AsSpan(i * phentsize, phentsize);
            var type = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            var offset = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]);
            var fileSize = BinaryPrimitives.ReadUInt64LittleEndian(entry[32..]);
            hasDynamic |= type == PtDynamic;
            if (type is PtLoad or PtDynamic && (offset > (ulong)length || fileSize > (ulong)length - offset))
            {
                throw damaged;
            }
        }

        if (!hasDynamic)
        {
            throw new Pkcs11ModuleException(Pkcs11LoadFailure.NotASharedObject, path,
                $"'{path}' is a statically linked ELF file, not a loadable shared library.");
        }
    }
}
