namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// <c>realpath(3)</c> in managed code: the path with every symbolic link resolved, in the final component and in every
/// directory on the way (<see cref="File.ResolveLinkTarget"/> only looks at the last one).
/// </summary>
internal static class RealPath
{
    // Linux's MAXSYMLINKS: a longer chain is a loop.
    private const int MaxLinks = 40;

    private static readonly char[] s_separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    /// <summary>Resolves <paramref name="fullPath"/>, an absolute path; every component must exist.</summary>
    /// <exception cref="IOException">A component is missing (<see cref="FileNotFoundException"/>), a loop of links, or
    /// another I/O error.</exception>
    /// <exception cref="UnauthorizedAccessException">A directory on the way may not be searched.</exception>
    public static string Resolve(string fullPath)
    {
        var root = Path.GetPathRoot(fullPath);
        if (string.IsNullOrEmpty(root))
        {
            throw new ArgumentException("An absolute path is required.", nameof(fullPath));
        }

        var current = root;
        var pending = new Stack<string>();
        Push(pending, fullPath[root.Length..]);
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                // current has no links left in it, so its parent is the real parent.
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }

            var candidate = Path.Join(current, part);
            var target = new FileInfo(candidate).LinkTarget;
            if (target is null)
            {
                if (!File.Exists(candidate) && !Directory.Exists(candidate))
                {
                    throw new FileNotFoundException("A component of the path does not exist.");
                }

                current = candidate;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException("Too many levels of symbolic links.");
            }

            // An absolute target starts again from the root; a relative one continues from the link's directory.
            if (Path.GetPathRoot(target) is { Length: > 0 } targetRoot)
            {
                current = targetRoot;
                target = target[targetRoot.Length..];
            }

            Push(pending, target);
        }

        return current;
    }

    /// <summary><see cref="Resolve"/>, or null when the path cannot be resolved (e.g. it does not exist yet).</summary>
    public static string? TryResolve(string fullPath)
    {
        try
        {
            return Resolve(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Push(Stack<string> pending, string relative)
    {
        var parts = relative.Split(s_separators);
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }
}
