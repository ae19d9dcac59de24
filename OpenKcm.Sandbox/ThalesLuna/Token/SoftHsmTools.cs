namespace OpenKcm.Sandbox.ThalesLuna.Token;

/// <summary>
/// Where the SoftHSM2 module and the two command-line tools are: <c>softhsm2-util</c> (Debian <c>softhsm2</c>) creates
/// tokens, <c>pkcs11-tool</c> (Debian <c>opensc</c>) creates and lists keys. The sandbox never loads the module itself.
/// </summary>
internal sealed record SoftHsmTools(string SoftHsmUtilPath, string Pkcs11ToolPath, string ModulePath)
{
    /// <summary>What to run when something is missing.</summary>
    public const string InstallHint = "apt-get install softhsm2 opensc";

    /// <summary>Debian's module path; the first one is a symbolic link to the second.</summary>
    public static readonly IReadOnlyList<string> DefaultModulePaths =
        ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"];

    /// <summary>
    /// Finds the tools and the module, each from its option when set (an absolute path, or a name looked up on
    /// <c>PATH</c>), else from the defaults. <c>null</c> with <paramref name="reason"/> saying what is missing and how
    /// to install it. Never throws for a missing file.
    /// </summary>
    public static SoftHsmTools? Locate(LunaSandboxOptions options, out string? reason)
    {
        if (!OperatingSystem.IsLinux())
        {
            reason = "the Thales Luna sandbox runs only on Linux (SoftHSM2 and OpenSC from Debian)";
            return null;
        }

        var util = FindProgram(options.SoftHsmUtilPath ?? "softhsm2-util");
        var tool = FindProgram(options.Pkcs11ToolPath ?? "pkcs11-tool");
        var module = options.ModulePath is { } configured
            ? File.Exists(configured) ? Path.GetFullPath(configured) : null
            : DefaultModulePaths.FirstOrDefault(File.Exists);
        var missing = new List<string>();
        if (util is null)
        {
            missing.Add($"softhsm2-util ({options.SoftHsmUtilPath ?? "not on PATH"})");
        }

        if (module is null)
        {
            missing.Add($"the SoftHSM2 PKCS#11 module ({options.ModulePath ?? string.Join(" or ", DefaultModulePaths)})");
        }

        if (tool is null)
        {
            missing.Add($"pkcs11-tool ({options.Pkcs11ToolPath ?? "not on PATH"})");
        }

        if (missing.Count > 0)
        {
            var what = util is null || module is null ? "SoftHSM2 is not installed" : "OpenSC is not installed";
            reason = $"{what}: missing {string.Join(", ", missing)}. Install with: {InstallHint}";
            return null;
        }

        reason = null;
        return new SoftHsmTools(util!, tool!, module!);
    }

    /// <summary>An existing file at <paramref name="nameOrPath"/>, or the first one on <c>PATH</c> for a bare name.</summary>
    private static string? FindProgram(string nameOrPath)
    {
        if (nameOrPath.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(nameOrPath) ? Path.GetFullPath(nameOrPath) : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/local/bin")
            .Select(directory => Path.Combine(directory, nameOrPath))
            .FirstOrDefault(File.Exists);
    }
}
