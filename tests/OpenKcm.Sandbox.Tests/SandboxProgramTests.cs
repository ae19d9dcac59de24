using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests;

public sealed class SandboxProgramTests : IDisposable
{
    private const string RunningMarker = "OpenKCM sandbox running";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "openkcm-sandbox-tests", Guid.NewGuid().ToString("N"));
    private readonly List<Process> _started = [];

    private string ManifestPath => Path.Combine(_directory, "manifest.json");

    [Fact]
    public async Task Run_BadArguments_PrintsUsageAndExits2()
    {
        var error = new StringWriter();

        var code = await SandboxProgram.RunAsync(["--nope"], TextWriter.Null, error, NullLoggerFactory.Instance, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains("unknown argument '--nope'", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Usage: OpenKcm.Sandbox --manifest FILE [--data-dir DIR]", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Help_PrintsUsageAndExits0()
    {
        var output = new StringWriter();

        var code = await SandboxProgram.RunAsync(["--help"], output, TextWriter.Null, NullLoggerFactory.Instance, CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Contains("--manifest FILE", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ValidArguments_WritesManifestPrintsEndpointsAndStopsOnCancel()
    {
        var output = new SignalingWriter(RunningMarker);
        using var stop = new CancellationTokenSource();

        var run = SandboxProgram.RunAsync(["--manifest", ManifestPath, "--data-dir", Path.Combine(_directory, "data")],
            output, TextWriter.Null, NullLoggerFactory.Instance, stop.Token);
        await output.Seen.WaitAsync(s_timeout);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(ManifestPath))!;
        await stop.CancelAsync();
        var code = await run.WaitAsync(s_timeout);

        Assert.Equal(0, code);
        Assert.Equal("openbao", manifest["openbao"]!["plugin_type"]!.GetValue<string>());
        Assert.Contains(manifest["control_url"]!.GetValue<string>(), output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(manifest["sandbox_admin"]!["openbao"]!["root_token"]!.GetValue<string>(), output.ToString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_BadArguments_Exits2()
    {
        var process = StartSandboxProcess("--manifest");
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(s_timeout);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Usage:", await error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_Sigterm_StopsGracefullyWithExit0()
    {
        var process = StartSandboxProcess("--manifest", ManifestPath, "--data-dir", Path.Combine(_directory, "data"));
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_timeout);
        string? line;
        do
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        while (line is not null && !line.Contains(RunningMarker, StringComparison.Ordinal));

        if (line is null)
        {
            Assert.Fail($"the sandbox exited before running: {await error}");
        }

        Assert.True(File.Exists(ManifestPath));
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(timeout.Token);
        }

        var rest = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("Stopping the sandbox", rest, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Starts the sandbox executable; the test class kills (if needed) and disposes it.</summary>
    private Process StartSandboxProcess(params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet, [Path.Combine(AppContext.BaseDirectory, "OpenKcm.Sandbox.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the sandbox process");
        _started.Add(process);
        return process;
    }
}
