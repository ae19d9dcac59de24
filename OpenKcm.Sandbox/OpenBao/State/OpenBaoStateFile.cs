using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OpenKcm.Sandbox.OpenBao.State;

/// <summary>
/// The OpenBao state file (<see cref="SandboxOptions.OpenBaoStateFileName"/>): read once at start; replaced atomically
/// with a 0600 file whenever the state changed. A file that cannot be used is moved aside and the sandbox starts
/// fresh: a broken file never stops the console. Its content never reaches a log: messages name the file and where it
/// is wrong, never a value. Not thread-safe: <see cref="Save"/> runs under the core's lock.
/// </summary>
internal sealed class OpenBaoStateFile(string path, string emulatorName, TimeProvider time, ILogger logger)
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        WriteIndented = true,
    };

    private string? _written;
    private bool _failing;

    public string Path => path;

    /// <summary>
    /// Reads the file and hands it to <paramref name="restore"/>. <c>null</c> when there is no file, or when it could
    /// not be read, parsed or restored: then it has been moved aside (<c>.corrupt-&lt;UTC timestamp&gt;</c>) with a warning.
    /// </summary>
    public T? Load<T>(Func<OpenBaoState, T> restore)
        where T : class
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var text = File.ReadAllText(path);
            var state = JsonSerializer.Deserialize<OpenBaoState>(text, s_json) ?? throw new InvalidDataException("it holds null");
            var restored = restore(state);
            _written = text;
            logger.LogInformation("Sandbox {Name} restored its credentials, keys, policies and roles from {Path}", emulatorName, path);
            return restored;
        }
        catch (Exception error)
        {
            // Whatever is wrong with the file, the sandbox starts: fresh, and with the old file kept for inspection.
            SetAside(Reason(error));
            return null;
        }
    }

    /// <summary>
    /// Writes <paramref name="state"/> unless it is what was last written. Failures are logged (once until a save
    /// succeeds again) and otherwise ignored: the emulator keeps serving from memory. Never throws.
    /// </summary>
    public void Save(OpenBaoState state)
    {
        try
        {
            var text = JsonSerializer.Serialize(state, s_json) + "\n";
            if (text == _written)
            {
                return;
            }

            PrivateFile.WriteAtomically(path, text);
            _written = text;
            if (_failing)
            {
                _failing = false;
                logger.LogInformation("Sandbox {Name} saved its state to {Path} again", emulatorName, path);
            }
        }
        catch (Exception error)
        {
            if (!_failing)
            {
                _failing = true;
                logger.LogWarning("Sandbox {Name} could not save its state to {Path} ({Reason}): changes are lost on restart "
                    + "until a save succeeds", emulatorName, path, error is IOException or UnauthorizedAccessException
                        ? error.Message : error.GetType().Name);
            }
        }
    }

    /// <summary>Why the file is unusable, without quoting it (parser messages may echo its characters).</summary>
    private static string Reason(Exception error) => error switch
    {
        JsonException json => $"it is not valid JSON or lacks a field (at {json.Path ?? "$"}, line {json.LineNumber + 1}, "
            + $"byte {json.BytePositionInLine + 1})",
        InvalidDataException invalid => invalid.Message,
        IOException or UnauthorizedAccessException => error.Message,
        _ => $"restoring it failed ({error.GetType().Name})",
    };

    private void SetAside(string reason)
    {
        var stamp = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var aside = $"{path}.corrupt-{stamp}";
        for (var n = 2; File.Exists(aside); n++)
        {
            aside = $"{path}.corrupt-{stamp}-{n}";
        }

        try
        {
            File.Move(path, aside);
            logger.LogWarning("Sandbox {Name} cannot use its state file {Path}: {Reason}. Moved it to {Aside} and seeded fresh "
                + "credentials and keys: sandbox keystores must be re-imported from the new manifest, and data encrypted "
                + "before cannot be decrypted", emulatorName, path, reason, aside);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Sandbox {Name} cannot use its state file {Path}: {Reason}. Moving it aside failed too ({Error}), "
                + "so it will be overwritten; seeded fresh credentials and keys: sandbox keystores must be re-imported from "
                + "the new manifest", emulatorName, path, reason, error.Message);
        }
    }
}
