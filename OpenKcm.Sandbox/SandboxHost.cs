using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenKcm.Sandbox.AwsKms;
using OpenKcm.Sandbox.Control;
using OpenKcm.Sandbox.OpenBao;
using OpenKcm.Sandbox.ThalesLuna;

namespace OpenKcm.Sandbox;

/// <summary>
/// The running sandbox: the emulators (OpenBao, AWS KMS + STS, and the Thales Luna appliances in front of a SoftHSM2
/// token) and the control endpoint, each on its own 127.0.0.1 port (chosen by the ports of <see cref="SandboxOptions"/>,
/// else free ones).
/// Start it with <see cref="StartAsync"/>; dispose it to stop everything. Thread-safe.
/// </summary>
public sealed class SandboxHost : IAsyncDisposable
{
    /// <summary>The file in <see cref="SandboxOptions.DataDirectory"/> that holds the OpenBao secret ID (mode 0600).</summary>
    public const string SecretIdFileName = "openbao-secret-id";

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    private readonly ControlEndpoint _control;
    private readonly JsonObject _manifest;

    private SandboxHost(OpenBaoEmulator openBao, OpenBaoEmulator openBaoBackup, AwsKmsEmulator awsKms, LunaSandbox? luna, ControlEndpoint control, string secretIdPath)
    {
        OpenBao = openBao;
        OpenBaoBackup = openBaoBackup;
        AwsKms = awsKms;
        Luna = luna;
        _control = control;
        SecretIdPath = secretIdPath;
        _manifest = SandboxManifest.Build(control.Url, openBao, openBaoBackup, awsKms, luna, secretIdPath);
    }

    public OpenBaoEmulator OpenBao { get; }

    /// <summary>
    /// The second OpenBao cluster (<see cref="OpenBaoEmulator.BackupName"/>): it shares <see cref="OpenBao"/>'s transit
    /// keys, policies and AppRole credentials as a replicated cluster would, with its own port, tokens and faults.
    /// </summary>
    public OpenBaoEmulator OpenBaoBackup { get; }

    public AwsKmsEmulator AwsKms { get; }

    /// <summary>
    /// The Luna sandbox; <c>null</c> when <see cref="SandboxOptions.EnableLuna"/> is off. It may be present but not
    /// <see cref="LunaSandbox.IsAvailable"/> (SoftHSM2 or opensc missing): then it has no appliances.
    /// </summary>
    public LunaSandbox? Luna { get; }

    /// <summary>Every emulator by name, as the control endpoint serves them (each Luna appliance is one).</summary>
    public IReadOnlyList<ISandboxEmulator> Emulators => [OpenBao, OpenBaoBackup, AwsKms, .. Luna?.Appliances ?? []];

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
        var openBaoBackupPort = CheckPort(options.OpenBaoBackupPort, nameof(SandboxOptions.OpenBaoBackupPort));
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        PrivateFile.CreateDirectory(dataDirectory);
        var statePath = options.PersistState ? Path.Combine(dataDirectory, SandboxOptions.OpenBaoStateFileName) : null;
        var awsKmsPort = CheckPort(options.AwsKmsPort, nameof(SandboxOptions.AwsKmsPort));
        var lunaPort = CheckPort(options.LunaNtlsPort, nameof(SandboxOptions.LunaNtlsPort));
        var openBao = await OpenBaoEmulator.StartAsync(OpenBaoEmulator.DefaultName, options.OpenBaoProfile,
            options.TimeProvider, openBaoPort, statePath, loggerFactory, cancellationToken).ConfigureAwait(false);
        var started = new List<IAsyncDisposable> { openBao };
        try
        {
            var openBaoBackup = await OpenBaoEmulator.StartReplicaAsync(OpenBaoEmulator.BackupName, openBao, openBaoBackupPort,
                loggerFactory, cancellationToken).ConfigureAwait(false);
            started.Add(openBaoBackup);
            var awsKms = await AwsKmsEmulator.StartAsync(new AwsKmsEmulatorOptions
            {
                Port = awsKmsPort,
                TimeProvider = options.TimeProvider,
                LoggerFactory = loggerFactory,
                StatePath = options.PersistState ? Path.Combine(dataDirectory, SandboxOptions.AwsKmsStateFileName) : null,
            }, cancellationToken).ConfigureAwait(false);
            started.Add(awsKms);
            LunaSandbox? luna = null;
            if (options.EnableLuna)
            {
                luna = await LunaSandbox.StartAsync(new LunaSandboxOptions
                {
                    DataDirectory = LunaDataDirectory(dataDirectory),
                    NtlsPort = lunaPort,
                    PersistState = options.PersistState,
                    LoggerFactory = loggerFactory,
                }, cancellationToken).ConfigureAwait(false);
                started.Add(luna);
            }

            var control = await ControlEndpoint.StartAsync([openBao, openBaoBackup, awsKms, .. luna?.Appliances ?? []], controlPort, loggerFactory,
                cancellationToken).ConfigureAwait(false);
            started.Add(control);
            var secretIdPath = Path.Combine(dataDirectory, SecretIdFileName);
            await PrivateFile.WriteAsync(secretIdPath, openBao.SecretId, cancellationToken).ConfigureAwait(false);
            loggerFactory.CreateLogger<SandboxHost>().LogInformation(
                "Sandbox started: control endpoint {ControlUrl}, secret ID file {SecretIdPath}", control.Url, secretIdPath);
            return new SandboxHost(openBao, openBaoBackup, awsKms, luna, control, secretIdPath);
        }
        catch
        {
            started.Reverse();
            foreach (var part in started)
            {
                await part.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// Writes the manifest as indented JSON, mode 0600 (it holds a root token, an AWS secret access key and the Luna
    /// PIN under <c>sandbox_admin</c>): <c>{"control_url": ..., "openbao": {"plugin_type", "plugin_name",
    /// "configuration": {...}}, "openbao_backup": {...}, "aws_kms": {...}, "thales_luna": {...}, "sandbox_admin": {"openbao": {...},
    /// "aws_kms": {...}, "thales_luna": {...}}}</c>; an unavailable Luna sandbox is listed under <c>unavailable</c> with
    /// the reason instead.
    /// </summary>
    public Task WriteManifestAsync(string path, CancellationToken cancellationToken = default) =>
        PrivateFile.WriteAsync(path, _manifest.ToJsonString(s_indented) + "\n", cancellationToken);

    /// <summary>The Luna sandbox's data directory inside the sandbox's <see cref="SandboxOptions.DataDirectory"/>.</summary>
    public static string LunaDataDirectory(string sandboxDataDirectory) =>
        Path.Combine(Path.GetFullPath(sandboxDataDirectory), LunaSandbox.DefaultName);

    private static int CheckPort(int? port, string name) => port is null or (>= 0 and <= 65535)
        ? port ?? 0
        : throw new ArgumentOutOfRangeException(name, port, $"{name} must be between 0 (any free port) and 65535");

    public async ValueTask DisposeAsync()
    {
        await _control.DisposeAsync().ConfigureAwait(false);
        if (Luna is not null)
        {
            await Luna.DisposeAsync().ConfigureAwait(false);
        }

        await AwsKms.DisposeAsync().ConfigureAwait(false);
        await OpenBaoBackup.DisposeAsync().ConfigureAwait(false);
        await OpenBao.DisposeAsync().ConfigureAwait(false);
    }
}
