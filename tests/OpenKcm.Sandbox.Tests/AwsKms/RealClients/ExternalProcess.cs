using System.Diagnostics;

namespace OpenKcm.Sandbox.Tests.AwsKms.RealClients;

/// <summary>
/// Runs a real client (aws CLI, python3 with boto3) with a clean AWS environment: no proxies, no profile or
/// credential files of the machine (empty temporary ones), no instance metadata lookups.
/// </summary>
internal static class ExternalProcess
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string fileName, IEnumerable<string> args,
        IReadOnlyDictionary<string, string> environment, string directory)
    {
        var start = new ProcessStartInfo(fileName, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.OrdinalIgnoreCase)
                     || k.Contains("proxy", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        var config = Path.Combine(directory, "aws-config");
        var credentials = Path.Combine(directory, "aws-credentials");
        File.WriteAllText(config, "");
        File.WriteAllText(credentials, "");
        start.Environment["AWS_CONFIG_FILE"] = config;
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = credentials;
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_PAGER"] = "";
        start.Environment["NO_PROXY"] = "127.0.0.1,localhost";
        start.Environment["HOME"] = directory;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(s_timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }
}
