using OpenKcm.Core.Plugins;
using OpenKcm.Providers.OpenBao;
using OpenKcm.Sandbox.OpenBao;

namespace OpenKcm.Providers.Tests.OpenBao;

/// <summary>The emulator presenting itself as HashiCorp Vault: the health states OpenBao does not have.</summary>
public sealed class OpenBaoVaultProfileTests : IAsyncLifetime
{
    private OpenBaoSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await OpenBaoSandbox.StartAsync(profile: OpenBaoProfile.Vault);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task TestConnection_Vault_PassesEveryCheck()
    {
        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), _sandbox.Settings(), _sandbox.Secrets());

        CheckResults.AssertAllPassed(results);
    }

    [Fact]
    public async Task TestConnection_PerformanceStandby_WarnsAtServerHealth()
    {
        _sandbox.Emulator.Node.PerformanceStandby = true;

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), _sandbox.Settings(), _sandbox.Secrets());

        Assert.Equal(CheckOutcome.Warning, results[OpenBaoCheckIds.ServerHealth].Outcome);
        Assert.Contains("performance standby", results[OpenBaoCheckIds.ServerHealth].Detail);
    }

    [Fact]
    public async Task TestConnection_DrSecondary_FailsServerHealth()
    {
        _sandbox.Emulator.Node.DrSecondary = true;

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), _sandbox.Settings(), _sandbox.Secrets());

        var failed = CheckResults.AssertFailedAt(results, OpenBaoCheckIds.ServerHealth, KeystoreErrorKind.Unavailable);
        Assert.Contains("disaster-recovery", failed.Detail);
    }
}
