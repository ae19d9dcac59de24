using System.ComponentModel;
using System.Diagnostics;

namespace OpenKcm.Sandbox.ThalesLuna.Token;

/// <summary>
/// Runs a command-line tool (<c>softhsm2-util</c>, <c>pkcs11-tool</c>) as a child process with a given environment
/// and collects its output. Arguments are passed as a list (no shell), so nothing is re-parsed. The tool is killed
/// (with its children) on timeout or cancellation. Thread-safe (stateless).
/// </summary>
internal static class ToolRunner
{
    /// <summary>Longer than any of these tools takes on this machine (tens of milliseconds).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Runs <paramref name="fileName"/> and returns its exit code and output. Output may hold secrets or key values:
    /// callers never log it as it is (see <see cref="ToolResult.Diagnostic"/>).
    /// </summary>
    /// <exception cref="ToolException">The tool cannot be started or did not finish within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the tool is killed).</exception>
    public static async Task<ToolResult> RunAsync(string fileName, IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception error) when (error is Win32Exception or InvalidOperationException)
        {
            throw new ToolException($"{Path.GetFileName(fileName)} could not be started ({error.Message})", error);
        }

        // Nothing is ever typed in: a tool that prompts gets end-of-file instead of waiting forever.
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ToolException($"{Path.GetFileName(fileName)} did not finish within {timeout.TotalSeconds:0} s and was stopped");
        }

        return new ToolResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception error) when (error is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // It exited in the meantime.
        }
    }
}
