using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Console.Identity.DisplayTokens;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tenants;
using OpenKcm.E2E.Infrastructure;
using OpenKcm.E2E.Journeys;

namespace OpenKcm.E2E.Hub;

/// <summary>
/// The bootstrapped console with one active sandbox OpenBao keystore (<see cref="KeystoreName"/>), onboarded through
/// the real Core services (import of the manifest entry, Test Connection, activation) the first time a test asks.
/// </summary>
public sealed class HubConsoleFixture : BootstrappedConsoleFixture
{
    public const string KeystoreName = "hub_openbao";

    private static readonly Actor s_admin = new("e2e-admin", AdminEmail);
    private readonly SemaphoreSlim _onboard = new(1, 1);
    private bool _onboarded;

    public Uri HubUrl => new(BaseAddress, "hubs/health");

    public DisplayTokenService DisplayTokens => Services.GetRequiredService<DisplayTokenService>();

    public async Task<DisplayTokenCreated> CreateDisplayTokenAsync(string name)
    {
        var (created, error) = await DisplayTokens.CreateAsync(name, DateTimeOffset.UtcNow.AddDays(1), s_admin, CancellationToken.None);
        return created ?? throw new InvalidOperationException(error);
    }

    public Task RevokeAsync(Guid id) => DisplayTokens.RevokeAsync(id, s_admin, CancellationToken.None);

    /// <summary>The sandbox's fault-control URL for the OpenBao emulator (<c>control_url</c> + <c>openbao</c>).</summary>
    public Uri OpenBaoControlUrl
    {
        get
        {
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(DataDirectory, OpenKcm.Console.Sandbox.SandboxHostedService.ManifestFileName)))!;
            return new Uri(new Uri((string)manifest["control_url"]!), "openbao");
        }
    }

    public async Task EnsureKeystoreActiveAsync()
    {
        await _onboard.WaitAsync();
        try
        {
            if (_onboarded)
            {
                return;
            }

            var keystores = Services.GetRequiredService<KeystoreService>();
            var tenant = (await Services.GetRequiredService<TenantService>().ListAsync(CancellationToken.None)).Single(t => t.Name == Tenant.DefaultName);
            using var import = KeystoreJson.Parse(SandboxOpenBao.Seed(this, KeystoreName).ToJsonString(), Services.GetRequiredService<PluginRegistry>());
            var created = await keystores.CreateDraftAsync(import.ToDraft(tenant.Id), s_admin, CancellationToken.None);
            var keystore = created.Value ?? throw new InvalidOperationException(string.Join(" ", created.Errors.Select(e => e.Message)));
            var results = new List<CheckResult>();
            await foreach (var result in keystores.TestAsync(keystore.Id, keystore.CurrentVersion, s_admin, CancellationToken.None))
            {
                results.Add(result);
            }

            await keystores.RecordTestAsync(keystore.Id, keystore.CurrentVersion, results, s_admin, CancellationToken.None);
            await keystores.ActivateAsync(keystore.Id, keystore.CurrentVersion, s_admin, CancellationToken.None);
            _onboarded = true;
        }
        finally
        {
            _onboard.Release();
        }
    }
}
