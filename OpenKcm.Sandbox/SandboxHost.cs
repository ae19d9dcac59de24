using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenKcm.Sandbox.Control;
using OpenKcm.Sandbox.OpenBao;

namespace OpenKcm.Sandbox;

/// <summary>
/// The running sandbox: the emulators (today OpenBao) and the control endpoint, each on its own 127.0.0.1 port
/// (chosen by <see cref="SandboxOptions.OpenBaoPort"/> and <see cref="SandboxOptions.ControlPort"/>, else free ones).
/// Start it with <see cref="StartAsync"/>; dispose it to stop everything. Thread-safe.
/// </summary>
public sealed class SandboxHost : IAsyncDisposable
{
    /// <summary>The file in <see cref="SandboxOptions.DataDirectory"/> that holds the OpenBao secret ID (mode 0600).</summary>
    public const string SecretIdFileName = "openbao-secret-id";

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    private readonly ControlEndpoint _control;
    private readonly JsonObject _manifest;

    private SandboxHost(OpenBaoEmulator openBao, ControlEndpoint control, string secretIdPath)
    {
        OpenBao = openBao;
        _control = control;
        SecretIdPath = secretIdPath;
        _manifest = SandboxManifest.Build(control.Url, openBao, secretIdPath);
    }

    public OpenBaoEmulator OpenBao { get; }

    /// <summary>Every emulator by name, as the control endpoint serves them.</summary>
    public IReadOnlyList<ISandboxEmulator> Emulators => [OpenBao];

    /// <summary><c>http://127.0.0.1:PORT/control/</c>.</summary>
    public Uri ControlUrl => _control.Url;

    /// <summary>The absolute path of the secret ID file.</summary>
    public string SecretIdPath { get; }

    /// <summary>A copy of the manifest (see <see cref="WriteManifestAsync"/> for its shape).</summary>
    public JsonObject Manifest => (JsonObject)_manifest.DeepClone();

    /// <summary>
    /// Starts the OpenBao emulator (restoring its state first with <see cref="SandboxOptions.PersistState"/>) and the
    /// control endpoint, and writes the secret ID file. A taken port or an unusable state file is logged and worked
    /// around, never thrown.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A port outside 0–65535.</exception>
    public static async Task<SandboxHost> StartAsync(SandboxOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var openBaoPort = CheckPort(options.OpenBaoPort, nameof(SandboxOptions.OpenBaoPort));
        var controlPort = CheckPort(options.ControlPort, nameof(SandboxOptions.ControlPort));
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        PrivateFile.CreateDirectory(dataDirectory);
        var statePath = options.PersistState ? Path.Combine(dataDirectory, SandboxOptions.OpenBaoStateFileName) : null;
        var openBao = await OpenBaoEmulator.StartAsync(OpenBaoEmulator.DefaultName, options.OpenBaoProfile,
            options.TimeProvider, openBaoPort, statePath, loggerFactory, cancellationToken).ConfigureAwait(false);
        ControlEndpoint? control = null;
        try
        {
            control = await ControlEndpoint.StartAsync([openBao], controlPort, loggerFactory, cancellationToken).ConfigureAwait(false);
            var secretIdPath = Path.Combine(dataDirectory, SecretIdFileName);
            await PrivateFile.WriteAsync(secretIdPath, openBao.SecretId, cancellationToken).ConfigureAwait(false);
            loggerFactory.CreateLogger<SandboxHost>().LogInformation(
                "Sandbox started: control endpoint {ControlUrl}, secret ID file {SecretIdPath}", control.Url, secretIdPath);
            return new SandboxHost(openBao, control, secretIdPath);
        }
        catch
        {
            if (control is not null)
            {
                await control.DisposeAsync().ConfigureAwait(false);
            }

            await openBao.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Writes the manifest as indented JSON, mode 0600 (it holds a root token under <c>sandbox_admin</c>):
    /// <c>{"control_url": ..., "openbao": {"plugin_type", "plugin_name", "configuration": {...}},
    /// "sandbox_admin": {"openbao": {"root_token", "control_url"}}}</c>.
    /// </summary>
    public Task WriteManifestAsync(string path, CancellationToken cancellationToken = default) =>
        PrivateFile.WriteAsync(path, _manifest.ToJsonString(s_indented) + "\n", cancellationToken);

    private static int CheckPort(int? port, string name) => port is null or (>= 0 and <= 65535)
        ? port ?? 0
        : throw new ArgumentOutOfRangeException(name, port, $"{name} must be between 0 (any free port) and 65535");

    public async ValueTask DisposeAsync()
    {
        await _control.DisposeAsync().ConfigureAwait(false);
        await OpenBao.DisposeAsync().ConfigureAwait(false);
    }
}
