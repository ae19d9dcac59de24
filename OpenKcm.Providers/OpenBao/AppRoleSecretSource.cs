using System.Security.Cryptography;
using System.Text.Unicode;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// Resolves the AppRole secret_id at each login: from the credential vault, or by reading
/// <c>secret_id_path</c> on the console host (so a rotated file takes effect at the next login).
/// </summary>
/// <remarks>
/// The file's content goes to the keystore's OpenBao address, which whoever configures the keystore chooses, so the
/// file is read only from the allowed directories (<see cref="SecretIdLocations"/>), after resolving every link, only
/// when it is a non-empty regular file, and never more than <see cref="MaxFileBytes"/> + 1 bytes of it. Messages name
/// the path but never its content, and do not tell a missing file from an unreadable one.
/// </remarks>
internal static class AppRoleSecretSource
{
    /// <summary>A secret ID is a UUID; anything this large is the wrong file.</summary>
    public const int MaxFileBytes = 4096;

    public static async Task<SecretValue> GetAsync(
        OpenBaoConfiguration configuration, ISecretResolver secrets, SecretIdLocations locations, CancellationToken cancellationToken)
    {
        // With a file configured the vault is not asked at all: every resolution is an audited secret use.
        // (Validate already refuses a stored secret_id next to secret_id_path.)
        if (configuration.SecretIdPath is { } path)
        {
            return await ReadFileAsync(path, locations, cancellationToken).ConfigureAwait(false);
        }

        return await secrets.GetAsync(OpenBaoFieldNames.SecretId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeystoreException(KeystoreErrorKind.InvalidConfiguration,
                "No secret ID is stored and no secret ID file (secret_id_path) is set.");
    }

    /// <summary>True when <paramref name="ex"/> came from reading secret_id_path (not from OpenBao).</summary>
    public static bool IsFileProblem(KeystoreException ex) => ex.Data.Contains(nameof(AppRoleSecretSource));

    /// <summary>
    /// True when the file was refused for where it is (or where a link in its path leads), not for what it holds:
    /// writing a new secret ID to that path would follow the same link.
    /// </summary>
    public static bool IsOutsideProblem(KeystoreException ex) => ex.Data.Contains(nameof(Outside));

    private static async Task<SecretValue> ReadFileAsync(string path, SecretIdLocations locations, CancellationToken cancellationToken)
    {
        // Validate refused these already; checked again because the allowed directories may have changed since.
        var fullPath = Path.GetFullPath(path);
        if (!locations.Allows(fullPath))
        {
            throw Outside(path, locations);
        }

        FileStream stream;
        try
        {
            var realPath = RealPath.Resolve(fullPath);
            if (!locations.AllowsResolved(realPath))
            {
                throw Outside(path, locations);
            }

            // FIFOs, sockets and devices report a length of 0, as an empty file does: all are refused before they are
            // opened, so a FIFO cannot stall the login and opening a device has no side effect. FileInfo.Length is
            // only a first filter; the read below is capped whatever the file claims.
            var length = new FileInfo(realPath).Length;
            if (length is 0 or > MaxFileBytes)
            {
                throw BadContent(path);
            }

            stream = new FileStream(realPath, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read,
                Options = FileOptions.Asynchronous,
                BufferSize = 0,
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, ex);
        }

        await using (stream.ConfigureAwait(false))
        {
            // A link swapped between the checks and the open would have been followed: check what was opened.
            if (!stream.CanSeek || !OpenedInside(stream, locations))
            {
                throw Outside(path, locations);
            }

            return await ReadSecretAsync(stream, path, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the secret ID from <paramref name="stream"/>: at most <see cref="MaxFileBytes"/> + 1 bytes, whatever the
    /// file's length claims, so a file that never ends (or a length that lies) costs 4 KiB at most.
    /// </summary>
    internal static async Task<SecretValue> ReadSecretAsync(Stream stream, string path, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxFileBytes + 1];
        try
        {
            var total = 0;
            int read;
            while (total < buffer.Length
                && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return Decode(path, buffer.AsSpan(0, total));
        }
        catch (IOException ex)
        {
            throw Unreadable(path, ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>
    /// Linux: the path the kernel reports for the open descriptor lies in an allowed directory. Elsewhere (no
    /// <c>/proc/self/fd</c>) the checks before the open stand alone.
    /// </summary>
    private static bool OpenedInside(FileStream stream, SecretIdLocations locations)
    {
        const string Descriptors = "/proc/self/fd";
        if (!OperatingSystem.IsLinux() || !Directory.Exists(Descriptors))
        {
            return true;
        }

        try
        {
            var opened = new FileInfo($"{Descriptors}/{stream.SafeFileHandle.DangerousGetHandle()}").LinkTarget;
            return opened is not null && locations.AllowsResolved(opened);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static SecretValue Decode(string path, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxFileBytes || !Utf8.IsValid(bytes))
        {
            throw BadContent(path);
        }

        // One trailing line break (as `echo` and `bao ... > file` write it) and a byte order mark are fine; any other
        // line break or control character means this is not a secret ID file.
        if (bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }

        var secret = bytes.Trim(" \t\r\n"u8);
        if (secret.IsEmpty || secret.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0 || secret.Contains((byte)0x7F))
        {
            throw BadContent(path);
        }

        return new SecretValue(secret);
    }

    private static KeystoreException Outside(string path, SecretIdLocations locations)
    {
        var ex = Problem(path, $"secret ID files are read only from {locations.Describe()} (never from /proc, /sys or /dev), and "
            + "this path is not inside them or links to a file outside them. An administrator can allow another directory with "
            + OpenBaoOptions.SecretIdDirectoriesKey);
        ex.Data[nameof(Outside)] = true;
        return ex;
    }

    private static KeystoreException Unreadable(string path, Exception inner) =>
        Problem(path, "it does not exist, is not a regular file, or the console's service account may not read it (check its "
            + "owner and mode, and those of its directories)", inner);

    private static KeystoreException BadContent(string path) =>
        Problem(path, $"it must hold only the secret ID, as one line of UTF-8 text of at most {MaxFileBytes} bytes");

    private static KeystoreException Problem(string path, string reason, Exception? inner = null)
    {
        var ex = new KeystoreException(KeystoreErrorKind.InvalidConfiguration, $"Cannot use the secret ID file {path}: {reason}.", inner);
        ex.Data[nameof(AppRoleSecretSource)] = path;
        return ex;
    }
}
