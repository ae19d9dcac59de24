using OpenKcm.Console.Infrastructure;
using OpenKcm.Sandbox;

namespace OpenKcm.Console.Sandbox;

/// <summary>
/// Development only: starts the sandbox keystores in-process on loopback, writes their manifest to
/// <c>sandbox-manifest.json</c> in the data directory and prints the endpoints, so a newcomer can walk every
/// journey without a real keystore. The sandbox keeps its ports (<c>OpenKcm:Sandbox:OpenBaoPort</c>, default 8200,
/// <c>OpenKcm:Sandbox:OpenBaoBackupPort</c>, default 8210 (the second OpenBao cluster, replicating the first),
/// <c>OpenKcm:Sandbox:AwsKmsPort</c>, default 8230, <c>OpenKcm:Sandbox:LunaNtlsPort</c>, default 1792, and
/// <c>OpenKcm:Sandbox:ControlPort</c>, default 8299; 0 means any free port) and the OpenBao and Luna credentials and
/// keys (<c>sandbox/openbao-state.json</c>, <c>sandbox/thales_luna/</c>) across restarts, so a keystore onboarded
/// against them keeps working.
/// Never registered outside the Development environment.
/// </summary>
public sealed class SandboxHostedService(IConfiguration configuration, IHostEnvironment environment, ILoggerFactory loggers)
    : IHostedService, IAsyncDisposable
{
    public const string ManifestFileName = "sandbox-manifest.json";

    /// <summary>Vault's and OpenBao's usual port, so the sandbox sits where a newcomer expects a dev server.</summary>
    public const int DefaultOpenBaoPort = 8200;

    public const int DefaultControlPort = 8299;

    /// <summary>The second OpenBao cluster (the failover backup), next to the first.</summary>
    public const int DefaultOpenBaoBackupPort = 8210;

    public const int DefaultAwsKmsPort = 8230;

    /// <summary>The Luna appliances' real NTLS port.</summary>
    public const int DefaultLunaNtlsPort = 1792;

    /// <summary>The variable SoftHSM2 reads its configuration (and so its token directory) from.</summary>
    public const string SoftHsmConfVariable = "SOFTHSM2_CONF";

    private const string Section = $"{ConsoleOptions.Section}:Sandbox";
    private const string OpenBaoPortKey = $"{Section}:OpenBaoPort";
    private const string ControlPortKey = $"{Section}:ControlPort";
    private const string OpenBaoBackupPortKey = $"{Section}:OpenBaoBackupPort";
    private const string AwsKmsPortKey = $"{Section}:AwsKmsPort";
    private const string LunaNtlsPortKey = $"{Section}:LunaNtlsPort";

    private readonly ILogger _logger = loggers.CreateLogger<SandboxHostedService>();

    /// <summary>The running sandbox; null until started.</summary>
    public SandboxHost? Host { get; private set; }

    public string ManifestPath => Path.Combine(ConsoleOptions.ResolveDataDirectory(configuration, environment), ManifestFileName);

    public static bool IsEnabled(IConfiguration configuration, IHostEnvironment environment) =>
        environment.IsDevelopment() && configuration.GetValue($"{Section}:Enabled", true);

    /// <summary>
    /// Points SoftHSM2 at the sandbox's token before the host is built. The console loads SoftHSM2 in-process (through
    /// the Luna plugin) and SoftHSM2 reads <c>SOFTHSM2_CONF</c> once, at <c>C_Initialize</c>; the variable is set with
    /// libc <c>setenv</c>, which is only safe while no other thread may call <c>getenv</c>, so this runs during start-up
    /// configuration, not when the sandbox starts. One SoftHSM2 configuration per process: an operator's value is
    /// replaced (and <see cref="StartAsync"/> logs that). Returns the value it replaced, if any.
    /// </summary>
    public static string? PrepareProcessEnvironment(IConfiguration configuration, IHostEnvironment environment)
    {
        var confPath = SoftHsmConfPath(configuration, environment);
        var previous = Environment.GetEnvironmentVariable(SoftHsmConfVariable);
        NativeEnvironment.Set(SoftHsmConfVariable, confPath);
        return previous is not null && previous != confPath ? previous : null;
    }

    /// <summary>Set at configuration time by <see cref="PrepareProcessEnvironment"/>; logged at start.</summary>
    internal string? ReplacedSoftHsmConf { get; init; }

    private static string SandboxDirectory(IConfiguration configuration, IHostEnvironment environment) =>
        Path.Combine(ConsoleOptions.ResolveDataDirectory(configuration, environment), "sandbox");

    private static string SoftHsmConfPath(IConfiguration configuration, IHostEnvironment environment) =>
        OpenKcm.Sandbox.ThalesLuna.LunaSandbox.SoftHsmConfPathFor(SandboxHost.LunaDataDirectory(SandboxDirectory(configuration, environment)));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var dataDirectory = SandboxDirectory(configuration, environment);
        var openBaoPort = configuration.GetValue(OpenBaoPortKey, DefaultOpenBaoPort);
        var controlPort = configuration.GetValue(ControlPortKey, DefaultControlPort);
        var openBaoBackupPort = configuration.GetValue(OpenBaoBackupPortKey, DefaultOpenBaoBackupPort);
        var awsKmsPort = configuration.GetValue(AwsKmsPortKey, DefaultAwsKmsPort);
        var lunaPort = configuration.GetValue(LunaNtlsPortKey, DefaultLunaNtlsPort);
        Host = await SandboxHost.StartAsync(new SandboxOptions
        {
            DataDirectory = dataDirectory,
            LoggerFactory = loggers,
            OpenBaoPort = openBaoPort,
            OpenBaoBackupPort = openBaoBackupPort,
            ControlPort = controlPort,
            AwsKmsPort = awsKmsPort,
            LunaNtlsPort = lunaPort,
            PersistState = true,
        }, cancellationToken);
        await Host.WriteManifestAsync(ManifestPath, cancellationToken);
        ReportSoftHsmConf(Host);
        _logger.LogWarning(
            "SANDBOX keystores running on loopback (Development only). Manifest: {Manifest}. OpenBao: {OpenBao} (backup cluster {OpenBaoBackup}). AWS KMS + STS: {AwsKms}. "
            + "Thales Luna: {Luna}. Fault control: {Control}",
            ManifestPath, Host.OpenBao.BaseAddress, Host.OpenBaoBackup.BaseAddress, Host.AwsKms.BaseAddress,
            Host.Luna is { IsAvailable: true } luna ? $"token {luna.TokenLabel} via {luna.ModulePath}, appliances on port {luna.NtlsPort}" : Host.Luna?.UnavailableReason,
            Host.ControlUrl);
        WarnIfMoved((OpenBaoPortKey, openBaoPort, Host.OpenBao.BaseAddress.Port),
            (OpenBaoBackupPortKey, openBaoBackupPort, Host.OpenBaoBackup.BaseAddress.Port), (ControlPortKey, controlPort, Host.ControlUrl.Port),
            (AwsKmsPortKey, awsKmsPort, Host.AwsKms.BaseAddress.Port), (LunaNtlsPortKey, lunaPort, Host.Luna is { IsAvailable: true } l ? l.NtlsPort : lunaPort));
    }

    /// <summary>Says what <see cref="PrepareProcessEnvironment"/> did, and warns if the sandbox's token is elsewhere after all.</summary>
    private void ReportSoftHsmConf(SandboxHost host)
    {
        if (ReplacedSoftHsmConf is { } previous)
        {
            _logger.LogWarning("{Variable} was {Previous}; the sandbox set it to {Sandbox} so the console finds the sandbox's SoftHSM2 token",
                SoftHsmConfVariable, previous, Environment.GetEnvironmentVariable(SoftHsmConfVariable));
        }

        if (host.Luna is { IsAvailable: true } luna && luna.SoftHsmConfPath != Environment.GetEnvironmentVariable(SoftHsmConfVariable))
        {
            _logger.LogWarning("The Luna sandbox's token is configured in {Sandbox} but {Variable} is {Actual}: Luna sandbox keystores will not find it",
                luna.SoftHsmConfPath, SoftHsmConfVariable, Environment.GetEnvironmentVariable(SoftHsmConfVariable));
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (Host is { } host)
        {
            Host = null;
            await host.DisposeAsync();
        }
    }

    /// <summary>The sandbox already said which port was taken and by whom; this says which settings move it for good.</summary>
    private void WarnIfMoved(params (string Key, int Configured, int Actual)[] ports)
    {
        var moved = ports.Where(p => p.Configured != 0 && p.Configured != p.Actual).Select(p => p.Key).ToList();
        if (moved.Count > 0)
        {
            _logger.LogWarning("The sandbox returns to its configured ports at a restart once they are free. To keep one address "
                + "regardless, set {Keys} to a free port (0 = any free port)", string.Join(" and ", moved));
        }
    }
}
