using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.Tests.Support;
using OpenKcm.Sandbox.ThalesLuna;

namespace OpenKcm.Sandbox.Tests.ThalesLuna;

/// <summary>
/// Base of the Luna sandbox tests: a temporary data directory per test, captured logs, and every sandbox started
/// through <see cref="StartAsync"/> disposed at the end. Whatever a test does, its logs must never contain a PIN of a
/// token it created or a line of a client private key (checked at disposal).
/// </summary>
public abstract class LunaSandboxTest : IAsyncLifetime
{
    private readonly List<LunaSandbox> _started = [];
    private readonly HashSet<string> _pins = [];
    private ILoggerFactory _loggerFactory = null!;

    private protected string DataDirectory { get; } =
        Path.Combine(Path.GetTempPath(), "openkcm-luna-tests", Guid.NewGuid().ToString("N"));

    private protected CapturedLogs Logs { get; } = new();

    private protected string StatePath => Path.Combine(DataDirectory, LunaSandbox.StateFileName);

    public Task InitializeAsync()
    {
        _loggerFactory = Logs.CreateFactory();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var luna in _started)
        {
            await luna.DisposeAsync();
        }

        _loggerFactory.Dispose();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }

        foreach (var pin in _pins)
        {
            Assert.DoesNotContain(pin, Logs.Text, StringComparison.Ordinal);
        }
    }

    /// <summary>Starts a Luna sandbox in <see cref="DataDirectory"/>; <paramref name="configure"/> may change the options.</summary>
    private protected async Task<LunaSandbox> StartAsync(bool persist = false, Func<LunaSandboxOptions, LunaSandboxOptions>? configure = null)
    {
        var options = new LunaSandboxOptions { DataDirectory = DataDirectory, PersistState = persist, LoggerFactory = _loggerFactory };
        var luna = await LunaSandbox.StartAsync(configure is null ? options : configure(options), CancellationToken.None);
        _started.Add(luna);
        if (luna.IsAvailable)
        {
            _pins.Add(luna.UserPin);
            _pins.Add(SoPin());
            _pins.Add(luna.ClientPrivateKeyPem.Split('\n')[1]);
        }

        return luna;
    }

    /// <summary>Starts a sandbox and fails the test with the reason when SoftHSM2 or OpenSC are not usable here.</summary>
    private protected async Task<LunaSandbox> StartAvailableAsync(bool persist = false,
        Func<LunaSandboxOptions, LunaSandboxOptions>? configure = null)
    {
        var luna = await StartAsync(persist, configure);
        Assert.True(luna.IsAvailable, $"The Luna sandbox needs SoftHSM2 and OpenSC (./test.sh installs them): {luna.UnavailableReason}");
        return luna;
    }

    /// <summary>Disposes a sandbox before the end of the test (e.g. to restart it).</summary>
    private protected async Task StopAsync(LunaSandbox luna)
    {
        _started.Remove(luna);
        await luna.DisposeAsync();
    }

    private protected string SoPin() => JsonNode.Parse(File.ReadAllText(StatePath))!["so_pin"]!.GetValue<string>();

    /// <summary>The secret keys labelled <paramref name="label"/> as the logged-in <c>pkcs11-tool</c> lists them, one text block each.</summary>
    private protected static async Task<List<string>> ListKeysAsync(LunaSandbox luna, string label)
    {
        var run = await Pkcs11Tool.RunLoggedInAsync(luna, "--list-objects", "--type", "secrkey");
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Output.Split("Secret Key Object;", StringSplitOptions.RemoveEmptyEntries)
            .Where(block => block.Contains($"label:      {label}\n", StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>The values of a <c>name:</c> line of a listed object, e.g. the items of <c>Access:</c>.</summary>
    private protected static List<string> Items(string block, string name) =>
        block.Split('\n').Select(line => line.Trim()).Single(line => line.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..]
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
}
