using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.Tests.Support;
using OpenKcm.Sandbox.ThalesLuna;

namespace OpenKcm.Sandbox.Tests.ThalesLuna;

[UnsupportedOSPlatform("windows")]
public sealed class LunaAvailabilityTests : LunaSandboxTest
{
    [Fact]
    public async Task Start_WithoutSoftHsmUtil_IsUnavailableWithInstallHintAndDoesNotThrow()
    {
        var luna = await StartAsync(configure: o => With(o, softHsmUtil: "/nonexistent/softhsm2-util"));

        Assert.False(luna.IsAvailable);
        Assert.StartsWith("SoftHSM2 is not installed: missing softhsm2-util (/nonexistent/softhsm2-util)", luna.UnavailableReason, StringComparison.Ordinal);
        Assert.EndsWith("Install with: apt-get install softhsm2 opensc", luna.UnavailableReason, StringComparison.Ordinal);
        Assert.Empty(luna.Appliances);
        Assert.Equal(0, luna.NtlsPort);
        Assert.Equal("", luna.UserPin);
        Assert.Throws<InvalidOperationException>(luna.ManifestEntry);
        Assert.Throws<InvalidOperationException>(luna.ToolAccess);
        Assert.False(Directory.Exists(Path.Combine(DataDirectory, LunaSandbox.SoftHsmDirectoryName)));
        Assert.Contains(Logs.Warnings, e => e.Message.Contains("Sandbox thales_luna is not available: SoftHSM2 is not installed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_WithoutModule_IsUnavailableNamingTheModule()
    {
        var luna = await StartAsync(configure: o => With(o, module: "/nonexistent/libsofthsm2.so"));

        Assert.False(luna.IsAvailable);
        Assert.Contains("SoftHSM2 is not installed: missing the SoftHSM2 PKCS#11 module (/nonexistent/libsofthsm2.so)",
            luna.UnavailableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithoutPkcs11Tool_IsUnavailableNamingOpenSc()
    {
        var luna = await StartAsync(configure: o => With(o, pkcs11Tool: "no-such-pkcs11-tool-on-path"));

        Assert.False(luna.IsAvailable);
        Assert.StartsWith("OpenSC is not installed: missing pkcs11-tool (no-such-pkcs11-tool-on-path)", luna.UnavailableReason,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WhenTheTokenToolFails_IsUnavailableWithItsErrorAndThePinsRedacted()
    {
        // A real program standing in for a broken softhsm2-util: it prints its arguments as an error and fails.
        var fake = await ScriptAsync("failing-softhsm2-util", "echo \"ERROR: cannot init token, args: $*\" >&2\nexit 3");

        var luna = await StartAsync(configure: o => With(o, softHsmUtil: fake));

        Assert.False(luna.IsAvailable);
        Assert.Contains("softhsm2-util --init-token --label openkcm_partition failed: ERROR: cannot init token, args: --init-token "
            + "--free --label openkcm_partition --pin *** --so-pin ***", luna.UnavailableReason, StringComparison.Ordinal);
        Assert.Contains(Logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("--pin ***", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_WhenAToolHangs_KillsItAfterTheTimeoutAndIsUnavailable()
    {
        var fake = await ScriptAsync("hanging-softhsm2-util", "exec sleep 600");

        var luna = await StartAsync(configure: o => With(o, softHsmUtil: fake, timeout: TimeSpan.FromSeconds(1)));

        Assert.False(luna.IsAvailable);
        Assert.Contains("did not finish within 1 s and was stopped", luna.UnavailableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_CancelledWhileAToolRuns_ThrowsAndKillsTheTool()
    {
        var pidFile = Path.Combine(DataDirectory, "tool.pid");
        var fake = await ScriptAsync("slow-softhsm2-util", $"echo $$ > '{pidFile}'\nexec sleep 600");
        using var cancel = new CancellationTokenSource();
        var options = With(new LunaSandboxOptions { DataDirectory = DataDirectory }, softHsmUtil: fake);

        var start = LunaSandbox.StartAsync(options, cancel.Token);
        await Eventually.TrueAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), TimeSpan.FromSeconds(30),
            "the tool has started");
        var pid = File.ReadAllText(pidFile).Trim();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start);
        await Eventually.TrueAsync(() => !Directory.Exists("/proc/" + pid), TimeSpan.FromSeconds(30), $"process {pid} is gone");
    }

    [Fact]
    public async Task Start_WithPortOutOfRange_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => StartAsync(configure: o => new LunaSandboxOptions
        {
            DataDirectory = o.DataDirectory, NtlsPort = 70000,
        }));
    }

    [Fact]
    public async Task Start_Restart_AndFailure_NeverLogAPin()
    {
        var first = await StartAvailableAsync(persist: true);
        var (pin, soPin) = (first.UserPin, SoPin());
        await StopAsync(first);
        await StartAvailableAsync(persist: true);
        var extra = await Pkcs11Tool.RunAsync(first.SoftHsmConfPath,
            ["--module", first.ModulePath, "--token-label", first.TokenLabel, "--login", "--pin", pin, "--keygen", "--key-type", "AES:32",
                "--label", first.KeyLabel, "--sensitive", "--private"]);
        Assert.True(extra.ExitCode == 0, extra.ToString());
        var failed = await StartAsync(persist: true);

        Assert.False(failed.IsAvailable);
        Assert.NotEmpty(Logs.Entries);
        Assert.DoesNotContain(pin, Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(soPin, Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(pin, failed.UnavailableReason!, StringComparison.Ordinal);
    }

    private static LunaSandboxOptions With(LunaSandboxOptions options, string? softHsmUtil = null, string? pkcs11Tool = null,
        string? module = null, TimeSpan? timeout = null) => new()
    {
        DataDirectory = options.DataDirectory,
        LoggerFactory = options.LoggerFactory,
        SoftHsmUtilPath = softHsmUtil,
        Pkcs11ToolPath = pkcs11Tool,
        ModulePath = module,
        ToolTimeout = timeout ?? options.ToolTimeout,
    };

    private async Task<string> ScriptAsync(string name, string body)
    {
        var directory = Path.Combine(DataDirectory, "fake-tools");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        await File.WriteAllTextAsync(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
