namespace OpenKcm.Sandbox;

/// <summary>The standalone command line: <c>--manifest FILE [--data-dir DIR]</c> (also <c>--name=value</c>).</summary>
internal sealed record SandboxArguments(string ManifestPath, string DataDirectory, bool ShowHelp)
{
    public const string Usage = """
        Usage: OpenKcm.Sandbox --manifest FILE [--data-dir DIR]

        Starts the OpenKCM keystore emulators on 127.0.0.1, writes the manifest to FILE and runs until Ctrl+C or SIGTERM.

          --manifest FILE   where to write the manifest (JSON, mode 0600)
          --data-dir DIR    where to write secret files (default: a new directory under the system temp directory)
          --help            show this text
        """;

    /// <summary>Parses the arguments; on failure <paramref name="error"/> says why (and the exit code is 2).</summary>
    public static bool TryParse(IReadOnlyList<string> args, out SandboxArguments? arguments, out string? error)
    {
        arguments = null;
        error = null;
        string? manifest = null;
        string? dataDirectory = null;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, value) = args[i].Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal)
                ? (n, v) : (args[i], null);
            if (name is "--help" or "-h")
            {
                arguments = new SandboxArguments("", "", ShowHelp: true);
                return true;
            }

            if (name is not ("--manifest" or "--data-dir"))
            {
                error = $"unknown argument '{args[i]}'";
                return false;
            }

            value ??= i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            if (string.IsNullOrWhiteSpace(value))
            {
                error = $"{name} needs a value";
                return false;
            }

            if (name == "--manifest")
            {
                manifest = value;
            }
            else
            {
                dataDirectory = value;
            }
        }

        if (manifest is null)
        {
            error = "--manifest is required";
            return false;
        }

        dataDirectory ??= Path.Combine(Path.GetTempPath(), "openkcm-sandbox-" + Path.GetRandomFileName());
        arguments = new SandboxArguments(Path.GetFullPath(manifest), Path.GetFullPath(dataDirectory), ShowHelp: false);
        return true;
    }
}
