using OpenKcm.Sandbox.OpenBao;

namespace OpenKcm.Sandbox.Tests.Support;

/// <summary>
/// Base of tests that need a running sandbox: xunit creates one instance per test, so every test gets its own
/// host (own ports, state, data directory) on a manual clock.
/// </summary>
public abstract class SandboxTest : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "openkcm-sandbox-tests", Guid.NewGuid().ToString("N"));

    private protected ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero));

    private protected SandboxHost Host { get; private set; } = null!;

    private protected OpenBaoEmulator OpenBao => Host.OpenBao;

    private protected VaultApi Api { get; private set; } = null!;

    private protected string DataDirectory => _directory;

    protected virtual OpenBaoProfile Profile => OpenBaoProfile.OpenBao;

    private protected string Root => OpenBao.RootToken;

    public async Task InitializeAsync()
    {
        Host = await SandboxHost.StartAsync(
            new SandboxOptions { DataDirectory = _directory, TimeProvider = Clock, OpenBaoProfile = Profile }, CancellationToken.None);
        Api = new VaultApi(OpenBao.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Host.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Logs in with the seeded role (policy openkcm-policy, TTL 1h, max 4h).</summary>
    private protected Task<string> LoginSeedAsync() => Api.LoginAsync(OpenBao.RoleId, OpenBao.SecretId);

    /// <summary>Writes a policy and a role with only that policy, logs in, and returns the token.</summary>
    private protected async Task<string> LoginWithPolicyAsync(string name, string policy, string? ns = null)
    {
        using var admin = OpenBao.CreateAdminClient(ns);
        await admin.WritePolicyAsync(name, policy);
        var credentials = await admin.CreateAppRoleAsync(name, [name]);
        return await Api.LoginAsync(credentials.RoleId, credentials.SecretId, ns);
    }
}
