using OpenKcm.Console.Infrastructure;
using OpenKcm.Sandbox;

namespace OpenKcm.Console.Sandbox;

/// <summary>
/// Development only: starts the sandbox keystores in-process on loopback, writes their manifest to
/// <c>sandbox-manifest.json</c> in the data directory and prints the endpoints, so a newcomer can walk every
/// journey without a real keystore. Never registered outside the Development environment.
/// </summary>
public sealed class SandboxHostedService(IConfiguration configuration, IHostEnvironment environment, ILoggerFactory loggers)
    : IHostedService, IAsyncDisposable
{
    public const string ManifestFileName = "sandbox-manifest.json";

    private readonly ILogger _logger = loggers.CreateLogger<SandboxHostedService>();

    /// <summary>The running sandbox; null until started.</summary>
    public SandboxHost? Host { get; private set; }

    public string ManifestPath => Path.Combine(ConsoleOptions.ResolveDataDirectory(configuration, environment), ManifestFileName);

    public static bool IsEnabled(IConfiguration configuration, IHostEnvironment environment) =>
        environment.IsDevelopment() && configuration.GetValue($"{ConsoleOptions.Section}:Sandbox:Enabled", true);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var dataDirectory = Path.Combine(ConsoleOptions.ResolveDataDirectory(configuration, environment), "sandbox");
        Host = await SandboxHost.StartAsync(new SandboxOptions { DataDirectory = dataDirectory, LoggerFactory = loggers }, cancellationToken);
        await Host.WriteManifestAsync(ManifestPath, cancellationToken);
        _logger.LogWarning(
            "SANDBOX keystores running on loopback (Development only). Manifest: {Manifest}. OpenBao: {OpenBao}. Fault control: {Control}",
            ManifestPath, Host.OpenBao.BaseAddress, Host.ControlUrl);
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
}
