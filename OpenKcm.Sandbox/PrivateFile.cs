using System.Text;

namespace OpenKcm.Sandbox;

/// <summary>Writes files only their owner can read (mode 0600): the secret ID file and the manifest.</summary>
internal static class PrivateFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static async Task WriteAsync(string path, string content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (OperatingSystem.IsWindows())
        {
            await File.WriteAllTextAsync(path, content, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (File.Exists(path))
        {
            // Tighten before truncating, so the new content is never readable through an older, wider mode.
            File.SetUnixFileMode(path, OwnerOnly);
        }

        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly };
        var stream = new FileStream(path, options);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(content), cancellationToken).ConfigureAwait(false);
        }
    }
}
