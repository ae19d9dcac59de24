using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OpenKcm.Sandbox;

/// <summary>
/// An emulator's state file (snake_case JSON, mode 0600), shared by every emulator with its own snapshot type
/// <typeparamref name="TState"/>: read once at start; replaced atomically whenever the state changed. A file that cannot
/// be used (unreadable, not JSON, missing a required field, or refused by the emulator's own restore/validation) is moved
/// aside as <c>.corrupt-&lt;UTC timestamp&gt;</c> with a warning and the emulator starts fresh: a broken file never stops
/// the sandbox. Its content never reaches a log (it holds secrets): messages name the file and where it is wrong, never a
/// value. Not thread-safe: callers save under their emulator's lock.
/// </summary>
/// <param name="path">The file.</param>
/// <param name="emulatorName">The emulator's name, as the log shows it.</param>
/// <param name="contents">What the file restores, for the log ("its users, roles and keys").</param>
/// <param name="freshStart">What starting fresh means for the user, for the warning when the file is set aside.</param>
/// <param name="time">Dates the <c>.corrupt-</c> name.</param>
/// <param name="logger">Where warnings go.</param>
internal sealed class StateFile<TState>(string path, string emulatorName, string contents, string freshStart, TimeProvider time, ILogger logger)
    where TState : class
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
    /// Reads the file and hands it to <paramref name="restore"/>, which may refuse it by throwing
    /// <see cref="InvalidDataException"/> with a reason that quotes no value. <c>null</c> when there is no file, or when it
    /// could not be read, parsed or restored: then it has been moved aside with a warning.
    /// </summary>
    public T? Load<T>(Func<TState, T> restore)
        where T : class
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var text = File.ReadAllText(path);
            var state = JsonSerializer.Deserialize<TState>(text, s_json) ?? throw new InvalidDataException("it holds null");
            var restored = restore(state);
            _written = text;
            logger.LogInformation("Sandbox {Name} restored {Contents} from {Path}", emulatorName, contents, path);
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
    public void Save(TState state)
    {
        try
        {
            var text = Serialize(state);
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

    /// <summary>Replaces the file atomically, always (for an emulator that cannot run without its state on disk).</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be written.</exception>
    public void Write(TState state)
    {
        var text = Serialize(state);
        PrivateFile.WriteAtomically(path, text);
        _written = text;
    }

    private static string Serialize(TState state) => JsonSerializer.Serialize(state, s_json) + "\n";

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
            logger.LogWarning("Sandbox {Name} cannot use its state file {Path}: {Reason}. Moved it to {Aside}; {FreshStart}",
                emulatorName, path, reason, aside, freshStart);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Sandbox {Name} cannot use its state file {Path}: {Reason}. Moving it aside failed too ({Error}), "
                + "so it will be overwritten; {FreshStart}", emulatorName, path, reason, error.Message, freshStart);
        }
    }
}
