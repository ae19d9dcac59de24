using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace OpenKcm.E2E.Hub;

/// <summary>
/// One run of <c>e2e/hub-client/watch.mjs</c> under node: the official @microsoft/signalr client watching
/// <c>/hubs/health</c>. Every line it prints is an event (<c>connected</c>, <c>message</c>, <c>complete</c>,
/// <c>error</c>, <c>closed</c>, <c>start-failed</c>); <see cref="WaitForAsync"/> waits for one with a timeout.
/// Credentials go through the environment, never the command line. Disposing closes stdin (the script stops) and
/// kills it if it has not exited.
/// </summary>
internal sealed class HubClientProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly List<string> _stderr = [];
    private readonly Task _stdoutPump;

    private HubClientProcess(Process process)
    {
        _process = process;
        _stdoutPump = PumpAsync();
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.Add(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
    }

    /// <summary>Every event read so far, oldest first (for failure messages).</summary>
    public List<string> Seen { get; } = [];

    /// <summary>Starts the client against <paramref name="hubUrl"/> with a bearer display token or a Cookie header (or neither).</summary>
    public static HubClientProcess Start(Uri hubUrl, string? token = null, string? cookie = null)
    {
        var directory = ClientDirectory();
        var start = new ProcessStartInfo("node", ["watch.mjs"])
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["HUB_URL"] = hubUrl.ToString();
        if (token is not null)
        {
            start.Environment["HUB_TOKEN"] = token;
        }

        if (cookie is not null)
        {
            start.Environment["HUB_COOKIE"] = cookie;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        return new HubClientProcess(process);
    }

    /// <summary>
    /// Waits for the next event (skipping others) for which <paramref name="match"/> is true; fails with everything seen
    /// when none arrives within <paramref name="timeout"/> or the script exits first.
    /// </summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await _events.Reader.WaitToReadAsync(cts.Token))
            {
                while (_events.Reader.TryRead(out var item))
                {
                    if (match(item))
                    {
                        return item;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
        }

        string errors;
        lock (_stderr)
        {
            errors = string.Join("\n", _stderr);
        }

        throw new Xunit.Sdk.XunitException($"The hub client did not report {what} within {timeout.TotalSeconds} s. Events:\n{string.Join("\n", Seen)}\nstderr:\n{errors}");
    }

    public static bool IsEvent(JsonElement e, string name) => e.GetProperty("event").GetString() == name;

    public static bool IsMessage(JsonElement e, string type) =>
        IsEvent(e, "message") && e.GetProperty("message").GetProperty("type").GetString() == type;

    /// <summary>The keystores of a snapshot message, or the upserted keystores of a changes message.</summary>
    public static IEnumerable<JsonElement> KeystoresOf(JsonElement e)
    {
        if (!IsEvent(e, "message"))
        {
            return [];
        }

        var message = e.GetProperty("message");
        return message.GetProperty("type").GetString() switch
        {
            "snapshot" => message.GetProperty("keystores").EnumerateArray().ToList(),
            "changes" => message.GetProperty("changes").EnumerateArray()
                .Where(c => c.GetProperty("kind").GetString() == "upserted")
                .Select(c => c.GetProperty("keystore")).ToList(),
            _ => [],
        };
    }

    public static bool HasKeystoreWithStatus(JsonElement e, string name, string status) =>
        KeystoresOf(e).Any(k => k.GetProperty("name").GetString() == name && k.GetProperty("status").GetString() == status);

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(exit.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _stdoutPump;
        _process.Dispose();
    }

    private async Task PumpAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (Seen)
                {
                    Seen.Add(line.Length > 2000 ? line[..2000] + "…" : line);
                }

                try
                {
                    _events.Writer.TryWrite(JsonDocument.Parse(line).RootElement.Clone());
                }
                catch (JsonException)
                {
                    // Not an event line: kept in Seen for the failure message.
                }
            }
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    /// <summary><c>e2e/hub-client</c> of this checkout, with its npm dependencies installed (./test.sh runs npm ci).</summary>
    private static string ClientDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "e2e", "hub-client");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                if (!Directory.Exists(Path.Combine(candidate, "node_modules", "@microsoft", "signalr")))
                {
                    throw new InvalidOperationException($"@microsoft/signalr is not installed: run `npm ci` in {candidate} (./test.sh does).");
                }

                return candidate;
            }
        }

        throw new InvalidOperationException("e2e/hub-client was not found above " + AppContext.BaseDirectory);
    }
}
