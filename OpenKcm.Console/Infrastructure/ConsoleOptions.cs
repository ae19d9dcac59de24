namespace OpenKcm.Console.Infrastructure;

/// <summary>The <c>OpenKcm</c> configuration section.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "OpenKcm";

    /// <summary>Where the SQLite database, the KEK file and the sandbox manifest live. Relative paths are resolved
    /// against the content root (the repository root under <c>dotnet run --project OpenKcm.Console</c>).</summary>
    public string DataDirectory { get; set; } = ".data";

    public SandboxSettings Sandbox { get; set; } = new();

    public sealed class SandboxSettings
    {
        /// <summary>Start the sandbox keystores in-process. Honoured only in the Development environment.</summary>
        public bool Enabled { get; set; } = true;
    }

    public static string ResolveDataDirectory(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration[$"{Section}:{nameof(DataDirectory)}"];
        var path = string.IsNullOrWhiteSpace(configured) ? ".data" : configured;
        return Path.GetFullPath(path, environment.ContentRootPath);
    }
}
