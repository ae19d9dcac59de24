using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OpenKcm.Sandbox.AwsKms.State;

/// <summary>
/// The AWS emulator's state file: read once at start; replaced atomically with a 0600 file whenever the state changed.
/// A file that cannot be used is moved aside (<c>.corrupt-&lt;UTC timestamp&gt;</c>) and the emulator is seeded
/// fresh: a broken file never stops the sandbox. Messages name the file and where it is wrong, never a value (it holds
/// secret access keys and key material). Same behaviour as OpenBao's state file. Not thread-safe: <see cref="Save"/>
/// runs under the account's lock.
/// </summary>
internal sealed class AwsStateFile(string path, string emulatorName, TimeProvider time, ILogger logger)
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

    /// <summary>The restored value, or <c>null</c> when there is no file or it was unusable (then moved aside, with a warning).</summary>
    public T? Load<T>(Func<AwsState, T> restore)
        where T : class
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var text = File.ReadAllText(path);
            var state = JsonSerializer.Deserialize<AwsState>(text, s_json) ?? throw new InvalidDataException("it holds null");
            var restored = restore(state);
            _written = text;
            logger.LogInformation("Sandbox {Name} restored its users, roles and keys from {Path}", emulatorName, path);
            return restored;
        }
        catch (Exception error)
        {
            SetAside(error switch
            {
                JsonException json => $"it is not valid JSON or lacks a field (at {json.Path ?? "$"}, line {json.LineNumber + 1})",
                InvalidDataException invalid => invalid.Message,
                IOException or UnauthorizedAccessException => error.Message,
                _ => $"restoring it failed ({error.GetType().Name})",
            });
            return null;
        }
    }

    /// <summary>Writes the state unless unchanged. Failures are logged once until a save succeeds again; never throws.</summary>
    public void Save(AwsState state)
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
                + "so it will be overwritten; seeded fresh credentials and keys", emulatorName, path, reason, error.Message);
        }
    }
}
