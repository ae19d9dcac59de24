using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace OpenKcm.Sandbox;

/// <summary>
/// Standalone entry point: <c>dotnet run --project OpenKcm.Sandbox -- --manifest FILE [--data-dir DIR]</c>.
/// Exit codes: 0 after Ctrl+C / SIGTERM (or --help), 2 for bad arguments.
/// </summary>
internal static class SandboxProgram
{
    public const int UsageExitCode = 2;

    public static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            })
            .AddFilter("Microsoft", LogLevel.Warning)
            .SetMinimumLevel(LogLevel.Information));
        return await RunAsync(args, Console.Out, Console.Error, loggerFactory, stop.Token).ConfigureAwait(false);
    }

    /// <summary>Parses <paramref name="args"/>, runs the sandbox until <paramref name="stopToken"/> fires, and returns the exit code.</summary>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> args, TextWriter output, TextWriter error, ILoggerFactory loggerFactory, CancellationToken stopToken)
    {
        if (!SandboxArguments.TryParse(args, out var arguments, out var problem))
        {
            await error.WriteLineAsync($"error: {problem}\n\n{SandboxArguments.Usage}").ConfigureAwait(false);
            return UsageExitCode;
        }

        if (arguments!.ShowHelp)
        {
            await output.WriteLineAsync(SandboxArguments.Usage).ConfigureAwait(false);
            return 0;
        }

        var options = new SandboxOptions { DataDirectory = arguments.DataDirectory, LoggerFactory = loggerFactory };
        var host = await SandboxHost.StartAsync(options, stopToken).ConfigureAwait(false);
        await using (host.ConfigureAwait(false))
        {
            await host.WriteManifestAsync(arguments.ManifestPath, stopToken).ConfigureAwait(false);
            await output.WriteLineAsync($"""
                OpenKCM sandbox running (Ctrl+C to stop)
                  openbao    {host.OpenBao.BaseAddress} ({host.OpenBao.Profile} API, AppRole role {OpenBao.OpenBaoEmulator.RoleName})
                  openbao_backup {host.OpenBaoBackup.BaseAddress} (replicates openbao: same keys and AppRole credentials)
                  control    {host.ControlUrl}
                  manifest   {arguments.ManifestPath}
                  secret_id  {host.SecretIdPath}
                """).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, stopToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
            {
                await output.WriteLineAsync("Stopping the sandbox").ConfigureAwait(false);
            }
        }

        return 0;
    }
}
