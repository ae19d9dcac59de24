using System.Globalization;

namespace OpenKcm.Sandbox.Hosting;

/// <summary>
/// Best effort at naming the process that listens on a TCP port, for the warning when the sandbox cannot have its
/// port: on Linux from <c>/proc/net/tcp*</c> (the listening socket's inode) and <c>/proc/*/fd</c> (who holds it).
/// Processes of other users are not visible without privileges. Never throws.
/// </summary>
internal static class PortOwner
{
    private const string Listen = "0A";

    /// <summary><c>pid 1234 "bao"</c>, <c>this process</c>, <c>a process of uid 998</c> or <c>another process</c>.</summary>
    public static string Describe(int port)
    {
        try
        {
            return OperatingSystem.IsLinux() ? DescribeOnLinux(port) : "another process";
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException)
        {
            return "another process";
        }
    }

    private static string DescribeOnLinux(int port)
    {
        var sockets = ListeningSockets(port);
        if (sockets.Count == 0)
        {
            return "another process";
        }

        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || !HoldsAny(process, sockets.Keys))
            {
                continue;
            }

            if (pid == Environment.ProcessId)
            {
                return "this process";
            }

            var command = TryRead(Path.Combine(process, "comm"))?.Trim();
            return command is { Length: > 0 } ? $"pid {pid} \"{command}\"" : $"pid {pid}";
        }

        return $"a process of uid {sockets.Values.First()}";
    }

    /// <summary>Inode → owner uid of every listening socket on the port, IPv4 and IPv6.</summary>
    private static Dictionary<string, string> ListeningSockets(int port)
    {
        var hexPort = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        var sockets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in (TryRead(table) ?? "").Split('\n').Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[3] == Listen && fields[1].EndsWith(hexPort, StringComparison.Ordinal))
                {
                    sockets[fields[9]] = fields[7];
                }
            }
        }

        return sockets;
    }

    private static bool HoldsAny(string process, IEnumerable<string> inodes)
    {
        var targets = inodes.Select(inode => $"socket:[{inode}]").ToHashSet(StringComparer.Ordinal);
        try
        {
            return Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd"))
                .Any(fd => TryLinkTarget(fd) is { } target && targets.Contains(target));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Another user's process, or one that just exited.
            return false;
        }
    }

    private static string? TryLinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
