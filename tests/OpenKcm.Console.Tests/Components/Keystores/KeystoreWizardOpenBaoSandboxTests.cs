using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Keystores;
using OpenKcm.Providers;
using OpenKcm.Sandbox;

namespace OpenKcm.Console.Tests.Components.Keystores;

/// <summary>
/// The whole wizard with the real OpenBao plugin against the sandbox's OpenBao emulator on a loopback port: import the
/// sandbox manifest's entry, save, read the guidance, test, activate. (The test project reaches OpenKcm.Sandbox through
/// the console's own reference to it.)
/// </summary>
public sealed class KeystoreWizardOpenBaoSandboxTests : KeystoreWizardTestContext
{
    private readonly string _sandboxDirectory = Path.Combine(Path.GetTempPath(), "openkcm-console-tests", Guid.NewGuid().ToString("N"));
    private SandboxHost _sandbox = null!;

    public KeystoreWizardOpenBaoSandboxTests()
    {
        Services.AddKeystoreProviders(o => o.SecretIdDirectories.Add(_sandboxDirectory));
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _sandbox = await SandboxHost.StartAsync(new SandboxOptions { DataDirectory = _sandboxDirectory }, CancellationToken.None);
    }

    protected override async Task DisposeFixturesAsync()
    {
        await _sandbox.DisposeAsync();
        Directory.Delete(_sandboxDirectory, recursive: true);
    }

    [Fact]
    public async Task Wizard_SandboxManifestImported_TestsAndActivatesTheOpenBaoKeystore()
    {
        var page = RenderNewWizard();
        await page.ChooseTypeAsync("OpenBao (Vault-compatible)");
        await page.NextAsync();
        Assert.Equal("Configure OpenBao (Vault-compatible)", page.Component.Find("#step-config").TextContent);

        await page.ClickAsync("Import JSON");
        await page.FillAsync("import-json", _sandbox.Manifest["openbao"]!.ToJsonString());
        await page.ClickAsync("Apply import");
        Assert.Empty(page.ImportErrors);
        Assert.Equal("sandbox_openbao", page.Value("plugin_name"));
        Assert.Equal(_sandbox.SecretIdPath, page.Value("secret_id_path"));

        await page.NextAsync();
        Assert.Equal("Permissions", page.CurrentStep);
        Assert.Equal(["Policy openkcm-policy", "Transit engine and key", "AppRole for OpenKCM"], page.GuidanceTitles);

        await page.NextAsync();
        await page.ClickAsync("Run Test Connection");
        page.Component.WaitForAssertion(() => Assert.Equal("All checks passed. This version can be activated.", page.TestSummary));
        Assert.All(page.Checks, check => Assert.EndsWith(": Passed", check));

        await page.NextAsync();
        await page.ClickAsync("Activate");

        var result = page.Component.Find("pre[aria-label='Activation result']").TextContent;
        Assert.Contains("\"plugin_status\": \"active\"", result);
        Assert.Contains("\"auth_status\": \"authenticated\"", result);
        Assert.Contains("openkcm-keys/keys/customer-master-key", result);
        var keystore = Assert.Single(await Keystores.ListAsync(null, CancellationToken.None));
        Assert.Equal(("sandbox_openbao", "openbao", KeystoreState.Active, (int?)1), (keystore.Name, keystore.Kind, keystore.State, keystore.ActiveVersion));

        // Verify L1 key usage: a fresh tenant key really wrapped by the emulator's transit key and unwrapped again.
        await page.ClickAsync("Verify L1 key usage");
        page.Component.WaitForAssertion(() => Assert.StartsWith(
            "✓ A fresh 256-bit tenant key was wrapped under the L1 key of sandbox_openbao",
            page.Component.Find("[aria-label='L1 verification of sandbox_openbao']").TextContent.Trim(), StringComparison.Ordinal));
        var audit = await Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery { ActionPrefix = AuditActions.KeystoreVerifyL1 }, CancellationToken.None);
        Assert.Equal(AuditOutcome.Success, Assert.Single(audit.Entries).Outcome);
    }
}
