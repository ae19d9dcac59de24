using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OpenKcm.Sandbox.ThalesLuna.Token;

/// <summary>
/// The Luna sandbox's state file (<see cref="LunaSandbox.StateFileName"/>, mode 0600, snake_case JSON): written at
/// every start, read back only with <see cref="LunaSandboxOptions.PersistState"/>. A file that cannot be used is moved
/// aside (<c>.corrupt-&lt;UTC timestamp&gt;</c>) with a warning that never quotes its content.
/// </summary>
internal sealed class LunaStateFile(string path, ILogger logger)
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectNullableAnnotations = true,
        WriteIndented = true,
    };

    public string Path => path;

    /// <summary>The state, or <c>null</c> when there is no usable file (a broken one has been moved aside).</summary>
    public LunaState? Load()
    {
        if (!File.Exists(path))
        {
            return null;
        }

        string reason;
        try
        {
            var state = JsonSerializer.Deserialize<LunaState>(File.ReadAllText(path), s_json);
            reason = state switch
            {
                null => "it holds null",
                { Format: not LunaState.CurrentFormat } => $"format {state.Format} is not {LunaState.CurrentFormat}",
                { UserPin.Length: < 4 } or { SoPin.Length: < 4 } => "a PIN is shorter than SoftHSM's minimum of 4 characters",
                { NtlsPort: < 0 or > 65535 } => "ntls_port is out of range",
                _ => "",
            };
            if (reason.Length == 0)
            {
                return state;
            }
        }
        catch (JsonException error)
        {
            reason = $"it is not valid JSON or lacks a field (at {error.Path ?? "$"}, line {error.LineNumber + 1})";
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            reason = error.Message;
        }

        SetAside(reason);
        return null;
    }

    /// <summary>Replaces the file atomically (mode 0600).</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be written.</exception>
    public void Save(LunaState state) => PrivateFile.WriteAtomically(path, JsonSerializer.Serialize(state, s_json) + "\n");

    private void SetAside(string reason)
    {
        var aside = $"{path}.corrupt-{DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
        try
        {
            File.Move(path, aside, overwrite: true);
            logger.LogWarning("Sandbox thales_luna cannot use its state file {Path}: {Reason}. Moved it to {Aside}; a fresh token "
                + "with new PINs is created, so sandbox Luna keystores must be re-imported from the new manifest", path, reason, aside);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Sandbox thales_luna cannot use its state file {Path}: {Reason}; moving it aside failed too ({Error}), "
                + "so it will be overwritten with a fresh token's state", path, reason, error.Message);
        }
    }
}
