using System.Collections.Concurrent;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.OpenBao;
using OpenKcm.Providers.Tests.Support;

namespace OpenKcm.Providers.Tests.OpenBao;

/// <summary>
/// Closed loop: the guidance the plugin generates, applied to the emulator through its real admin API, is enough for
/// every check and key operation, and nothing the plugin calls is left out.
/// </summary>
public sealed class OpenBaoGeneratedPolicyTests : IAsyncLifetime
{
    private OpenBaoSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await OpenBaoSandbox.StartAsync();

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task GeneratedPolicy_AppliedThroughSysPolicy_IsSufficientForEveryCheckAndOperation()
    {
        var settings = _sandbox.Settings()
            .With(OpenBaoFieldNames.MountPath, "tenant-a-keys")
            .With(OpenBaoFieldNames.KeyName, "cmk-2026");
        var plugin = OpenBaoTestSettings.Plugin();
        var policy = plugin.GetPermissionGuidance(settings).Blocks.Single(b => b.Language == "hcl").Content;
        using (var admin = _sandbox.Admin())
        {
            await admin.EnableTransitAsync("tenant-a-keys");
            await admin.SendAsync(HttpMethod.Post, "tenant-a-keys/keys/cmk-2026", new() { ["type"] = "aes256-gcm96" });
        }

        var role = await _sandbox.CreateRoleAsync("generated", policy);
        settings = settings.With(OpenBaoFieldNames.RoleId, role.RoleId);

        var results = await CheckResults.RunAsync(plugin, settings, _sandbox.Secrets(role.SecretId));
        CheckResults.AssertAllPassed(results);

        await using var connection = await plugin.ConnectAsync(settings, _sandbox.Secrets(role.SecretId), CancellationToken.None);
        await connection.ProbeAsync(CancellationToken.None);
        var description = await connection.DescribeAsync(CancellationToken.None);
        Assert.Equal("generated-policy", (string?)description["policies_applied"]);
    }

    [Fact]
    public async Task GeneratedPolicy_InANamespace_IsSufficientAndTheNamespaceHeaderIsSent()
    {
        var requests = new ConcurrentQueue<RecordedRequest>();
        var options = new OpenBaoOptions();
        var pool = new OpenBaoHandlerPool(options, inner => new RecordingHandler(inner, requests));
        var plugin = OpenBaoTestSettings.Plugin(options: options, pool: pool);
        var settings = _sandbox.Settings().With(OpenBaoFieldNames.Namespace, "team-a/");

        using (var root = _sandbox.Admin())
        {
            await root.CreateNamespaceAsync("team-a");
        }

        using (var admin = _sandbox.Admin("team-a"))
        {
            await admin.EnableTransitAsync("openkcm-keys");
            await admin.SendAsync(HttpMethod.Post, "openkcm-keys/keys/customer-master-key", new() { ["type"] = "aes256-gcm96" });
            await admin.EnableAppRoleAsync();
        }

        var role = await _sandbox.CreateRoleAsync("team-a-openkcm", plugin.GetPermissionGuidance(settings).Blocks[0].Content, ns: "team-a");
        settings = settings.With(OpenBaoFieldNames.RoleId, role.RoleId);

        var results = await CheckResults.RunAsync(plugin, settings, _sandbox.Secrets(role.SecretId));

        CheckResults.AssertAllPassed(results);
        Assert.All(requests, r => Assert.Equal("true", r.VaultRequest));
        Assert.All(requests.Where(r => r.Path != "/v1/sys/health"), r => Assert.Equal("team-a", r.Namespace));
        Assert.Contains(requests, r => r.Path == "/v1/auth/approle/login");
        Assert.Null(requests.Single(r => r.Path == "/v1/sys/health").Namespace);
    }

    [Fact]
    public async Task WithoutTheNamespace_TheNamespacedRole_IsUnknown()
    {
        using (var root = _sandbox.Admin())
        {
            await root.CreateNamespaceAsync("team-b");
        }

        using (var admin = _sandbox.Admin("team-b"))
        {
            await admin.EnableAppRoleAsync();
        }

        var role = await _sandbox.CreateRoleAsync("team-b-openkcm", "path \"x\" { capabilities = [\"read\"] }", ns: "team-b");
        var settings = _sandbox.Settings().With(OpenBaoFieldNames.RoleId, role.RoleId);

        var results = await CheckResults.RunAsync(OpenBaoTestSettings.Plugin(), settings, _sandbox.Secrets(role.SecretId));

        CheckResults.AssertFailedAt(results, OpenBaoCheckIds.Authenticate, KeystoreErrorKind.AuthenticationFailed);
    }
}
