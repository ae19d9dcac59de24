using System.Collections.Immutable;
using System.Text.Json.Nodes;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;
using OpenKcm.Providers.OpenBao;
using OpenKcm.Sandbox;
using OpenKcm.Sandbox.OpenBao;

namespace OpenKcm.Providers.Tests.OpenBao;

/// <summary>
/// A sandbox with its OpenBao emulator for one test: its own data directory and clock, seeded with the OpenKCM
/// scenario. Set-up beyond the seed goes through the emulator's real admin API with the root token.
/// </summary>
internal sealed class OpenBaoSandbox : IAsyncDisposable
{
    private readonly SandboxHost _host;
    private readonly string _directory;

    private OpenBaoSandbox(SandboxHost host, string directory, TimeProvider time)
    {
        _host = host;
        _directory = directory;
        Time = time;
    }

    public OpenBaoEmulator Emulator => _host.OpenBao;

    /// <summary>The second cluster, replicating <see cref="Emulator"/> (failover backup).</summary>
    public OpenBaoEmulator Backup => _host.OpenBaoBackup;

    public TimeProvider Time { get; }

    /// <summary>The sandbox manifest (its <c>openbao.configuration</c> is what a newcomer imports).</summary>
    public JsonObject Manifest => _host.Manifest;

    /// <summary>The sandbox's control endpoint: an HTTP server that is not OpenBao.</summary>
    public Uri ControlUrl => _host.ControlUrl;

    /// <summary>The sandbox's secret ID file (mode 0600), as the seed's secret_id_path.</summary>
    public string SecretIdPath => _host.SecretIdPath;

    /// <summary>Options that allow this sandbox's data directory, where <see cref="SecretIdPath"/> lies.</summary>
    public OpenBaoOptions Options() => new() { SecretIdDirectories = { _directory } };

    /// <summary>vault_address as an administrator would type it (no trailing slash).</summary>
    public string Address => Emulator.BaseAddress.ToString().TrimEnd('/');

    public static async Task<OpenBaoSandbox> StartAsync(TimeProvider? time = null, OpenBaoProfile profile = OpenBaoProfile.OpenBao)
    {
        time ??= TimeProvider.System;
        var directory = Path.Combine(Path.GetTempPath(), "openkcm-providers-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var host = await SandboxHost.StartAsync(new SandboxOptions { DataDirectory = directory, TimeProvider = time, OpenBaoProfile = profile }, CancellationToken.None);
        return new OpenBaoSandbox(host, directory, time);
    }

    /// <summary>The seed's configuration pointing at this emulator (secret_id stored).</summary>
    public KeystoreSettings Settings() =>
        OpenBaoTestSettings.Seed(Address).With(OpenBaoFieldNames.RoleId, Emulator.RoleId);

    public ISecretResolver Secrets(string? secretId = null) =>
        new InMemorySecretResolver(ImmutableDictionary<string, string>.Empty.Add(OpenBaoFieldNames.SecretId, secretId ?? Emulator.SecretId));

    public OpenBaoAdminClient Admin(string? ns = null) => Emulator.CreateAdminClient(ns);

    /// <summary>
    /// Writes <paramref name="policy"/> and an AppRole role that issues tokens with only that policy (no 'default'),
    /// and returns its credentials.
    /// </summary>
    public async Task<AppRoleCredentials> CreateRoleAsync(
        string roleName, string policy, string? ns = null, TimeSpan? tokenTtl = null, TimeSpan? tokenMaxTtl = null)
    {
        using var admin = Admin(ns);
        var policyName = roleName + "-policy";
        await admin.WritePolicyAsync(policyName, policy);
        var role = new JsonObject
        {
            ["token_policies"] = policyName,
            ["token_no_default_policy"] = true,
            ["bind_secret_id"] = true,
        };
        if (tokenTtl is { } ttl)
        {
            role["token_ttl"] = $"{(long)ttl.TotalSeconds}s";
        }

        if (tokenMaxTtl is { } max)
        {
            role["token_max_ttl"] = $"{(long)max.TotalSeconds}s";
        }

        await admin.SendAsync(HttpMethod.Post, $"auth/approle/role/{roleName}", role);
        var roleId = (await admin.SendAsync(HttpMethod.Get, $"auth/approle/role/{roleName}/role-id", null))!["data"]!["role_id"]!.GetValue<string>();
        var secretId = (await admin.SendAsync(HttpMethod.Post, $"auth/approle/role/{roleName}/secret-id", []))!["data"]!["secret_id"]!.GetValue<string>();
        return new AppRoleCredentials(roleId, secretId);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
