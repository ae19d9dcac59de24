using System.Diagnostics;
using OpenKcm.Sandbox.ThalesLuna;

namespace OpenKcm.Sandbox.Tests.ThalesLuna;

/// <summary>
/// OpenSC's <c>pkcs11-tool</c> run by the test as an independent client of the sandbox's token, exactly as an
/// administrator would: <c>--module</c> and <c>--token-label</c> from the sandbox, <c>SOFTHSM2_CONF</c> in the child's
/// environment only.
/// </summary>
internal static class Pkcs11Tool
{
    public const string Program = "/usr/bin/pkcs11-tool";

    public static Task<ToolRun> RunAsync(LunaSandbox luna, params string[] arguments) =>
        RunAsync(luna.SoftHsmConfPath, ["--module", luna.ModulePath, "--token-label", luna.TokenLabel, .. arguments]);

    /// <summary>Logged in with the sandbox's user PIN.</summary>
    public static Task<ToolRun> RunLoggedInAsync(LunaSandbox luna, params string[] arguments) =>
        RunAsync(luna, ["--login", "--pin", luna.UserPin, .. arguments]);

    public static async Task<ToolRun> RunAsync(string softHsmConf, IReadOnlyList<string> arguments)
    {
        Assert.True(File.Exists(Program), $"{Program} is missing: apt-get install opensc softhsm2 (./test.sh installs them)");
        var start = new ProcessStartInfo(Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SOFTHSM2_CONF"] = softHsmConf;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new ToolRun(process.ExitCode, await output, await error);
    }
}

internal sealed record ToolRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}
