using System.Collections.Immutable;

namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// Where a keystore's <c>secret_id_path</c> may point: strictly inside one of
/// <see cref="OpenBaoOptions.SecretIdDirectories"/>, and never under <c>/proc</c>, <c>/sys</c> or <c>/dev</c>.
/// Immutable and thread-safe; the plugin builds one from its options.
/// </summary>
/// <remarks>
/// The file's content is sent to the OpenBao address of the keystore, which whoever configures the keystore chooses:
/// without this limit a KeyAdministrator could have the console post its key-encryption key or its environment
/// (<c>/proc/self/environ</c>) to their own server.
/// </remarks>
internal sealed class SecretIdLocations
{
    // Pseudo file systems: their files report a length of 0, hold the process's environment and memory, or are
    // devices whose opening has side effects.
    private static readonly ImmutableArray<string> s_systemDirectories = ["/proc", "/sys", "/dev"];

    /// <summary>Normalizes <paramref name="directories"/> (full paths without a trailing separator).</summary>
    /// <exception cref="ArgumentException">A directory that is empty, relative or the file system's root.</exception>
    public SecretIdLocations(IEnumerable<string> directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        Directories = [.. directories.Select(Normalize).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The allowed directories, as full paths.</summary>
    public ImmutableArray<string> Directories { get; }

    /// <summary>The allowed directories for a message, e.g. <c>/etc/openkcm</c> or <c>/etc/openkcm, /run/secrets</c>.</summary>
    public string Describe() => Directories.IsEmpty ? "(none)" : string.Join(", ", Directories);

    /// <summary>
    /// Why <paramref name="directory"/> cannot be an allowed directory, or null when it can. Shared by the plugin and
    /// the options validation at start-up.
    /// </summary>
    public static string? DirectoryError(string? directory)
    {
        if (string.IsNullOrWhiteSpace(directory) || !Path.IsPathFullyQualified(directory))
        {
            return $"{OpenBaoOptions.SecretIdDirectoriesKey} holds '{directory}', which is not an absolute directory.";
        }

        var full = Path.GetFullPath(directory);
        return Path.GetPathRoot(full) == full
            ? $"{OpenBaoOptions.SecretIdDirectoriesKey} must not allow the root directory: that would let any keystore "
                + "configuration send any file the console can read, such as its key-encryption key."
            : null;
    }

    /// <summary>
    /// Pure: whether the full path <paramref name="fullPath"/> (with <c>..</c> already collapsed) lies strictly inside an
    /// allowed directory and outside the system directories. Symbolic links are not looked at (see
    /// <see cref="AllowsResolved"/>).
    /// </summary>
    public bool Allows(string fullPath) =>
        !IsSystemPath(fullPath) && Directories.Any(d => IsInside(fullPath, d));

    /// <summary>
    /// For a path whose links are resolved (<see cref="RealPath.Resolve"/>): whether it lies inside an allowed directory
    /// or inside the resolved location of one (an allowed directory may itself be a link, e.g. into <c>/run</c>).
    /// Touches the file system to resolve the allowed directories.
    /// </summary>
    public bool AllowsResolved(string realPath) =>
        !IsSystemPath(realPath)
        && Directories.Any(d => IsInside(realPath, d) || (RealPath.TryResolve(d) is { } real && IsInside(realPath, real)));

    public static bool IsSystemPath(string fullPath) =>
        s_systemDirectories.Any(d => string.Equals(fullPath, d, StringComparison.Ordinal) || IsInside(fullPath, d));

    private static string Normalize(string directory) =>
        DirectoryError(directory) is { } error
            ? throw new ArgumentException(error, nameof(directory))
            : Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));

    private static bool IsInside(string path, string directory) =>
        path.Length > directory.Length + 1
        && path.StartsWith(directory, StringComparison.Ordinal)
        && path[directory.Length] == Path.DirectorySeparatorChar;
}
