using System.Net;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests.OpenBao;

/// <summary>
/// The second OpenBao cluster (<c>openbao_backup</c>) replicates the first over real HTTP: keys, policies and AppRole
/// credentials are shared, tokens and faults are not.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class BackupClusterTests : IAsyncLifetime
{
    private const string Mount = OpenBaoEmulator.MountPath;
    private const string Key = OpenBaoEmulator.KeyName;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "openkcm-sandbox-tests", Guid.NewGuid().ToString("N"));
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await SandboxHost.StartAsync(
        new SandboxOptions { DataDirectory = _directory, EnableLuna = false, PersistState = true }, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task EncryptedByOne_DecryptsOnTheOther_WithTheSameAppRoleCredentials()
    {
        using var primary = new VaultApi(_host.OpenBao.BaseAddress);
        using var backup = new VaultApi(_host.OpenBaoBackup.BaseAddress);
        var primaryToken = await primary.LoginAsync(_host.OpenBao.RoleId, _host.OpenBao.SecretId);
        var backupToken = await backup.LoginAsync(_host.OpenBaoBackup.RoleId, _host.OpenBaoBackup.SecretId);

        var ciphertext = (await primary.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = "cHJpbWFyeQ==" }, primaryToken))
            .Data["ciphertext"]!.GetValue<string>();
        var decrypted = await backup.PostAsync($"v1/{Mount}/decrypt/{Key}", new JsonObject { ["ciphertext"] = ciphertext }, backupToken);
        var fromBackup = (await backup.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = "YmFja3Vw" }, backupToken))
            .Data["ciphertext"]!.GetValue<string>();
        var back = await primary.PostAsync($"v1/{Mount}/decrypt/{Key}", new JsonObject { ["ciphertext"] = fromBackup }, primaryToken);

        Assert.Equal("cHJpbWFyeQ==", decrypted.Data["plaintext"]!.GetValue<string>());
        Assert.Equal("YmFja3Vw", back.Data["plaintext"]!.GetValue<string>());
        Assert.Equal(_host.OpenBao.RoleId, _host.OpenBaoBackup.RoleId);
        Assert.NotEqual(_host.OpenBao.BaseAddress, _host.OpenBaoBackup.BaseAddress);
    }

    [Fact]
    public async Task KeyCreatedAndRotatedThroughOne_IsUsableThroughTheOther()
    {
        using var primary = new VaultApi(_host.OpenBao.BaseAddress);
        using var backup = new VaultApi(_host.OpenBaoBackup.BaseAddress);
        Assert.True((await backup.PostAsync($"v1/{Mount}/keys/new-key", new JsonObject { ["type"] = "aes256-gcm96" }, _host.OpenBaoBackup.RootToken)).Status is HttpStatusCode.OK or HttpStatusCode.NoContent);
        await primary.PostAsync($"v1/{Mount}/keys/new-key/rotate", token: _host.OpenBao.RootToken);

        var encrypted = await backup.PostAsync($"v1/{Mount}/encrypt/new-key", new JsonObject { ["plaintext"] = "djI=" }, _host.OpenBaoBackup.RootToken);
        var ciphertext = encrypted.Data["ciphertext"]!.GetValue<string>();
        var decrypted = await primary.PostAsync($"v1/{Mount}/decrypt/new-key", new JsonObject { ["ciphertext"] = ciphertext }, _host.OpenBao.RootToken);
        var described = await backup.GetAsync($"v1/{Mount}/keys/new-key", _host.OpenBaoBackup.RootToken);

        Assert.StartsWith("vault:v2:", ciphertext);
        Assert.Equal("djI=", decrypted.Data["plaintext"]!.GetValue<string>());
        Assert.Equal(2, described.Data["latest_version"]!.GetValue<int>());
    }

    [Fact]
    public async Task TokensArePerCluster()
    {
        using var primary = new VaultApi(_host.OpenBao.BaseAddress);
        using var backup = new VaultApi(_host.OpenBaoBackup.BaseAddress);
        var primaryToken = await primary.LoginAsync(_host.OpenBao.RoleId, _host.OpenBao.SecretId);

        Assert.Equal(HttpStatusCode.Forbidden, (await backup.GetAsync("v1/auth/token/lookup-self", primaryToken)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await backup.GetAsync("v1/auth/token/lookup-self", _host.OpenBao.RootToken)).Status);
        Assert.Equal(HttpStatusCode.OK, (await backup.GetAsync("v1/auth/token/lookup-self", _host.OpenBaoBackup.RootToken)).Status);
        var primaryHealth = (await primary.GetAsync("v1/sys/health")).Body!;
        var backupHealth = (await backup.GetAsync("v1/sys/health")).Body!;
        Assert.NotEqual(primaryHealth["cluster_id"]!.GetValue<string>(), backupHealth["cluster_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task FaultsAreIndependent_OneDownTheOtherServes()
    {
        using var primary = new VaultApi(_host.OpenBao.BaseAddress);
        using var backup = new VaultApi(_host.OpenBaoBackup.BaseAddress);
        var token = await backup.LoginAsync(_host.OpenBaoBackup.RoleId, _host.OpenBaoBackup.SecretId);

        await _host.OpenBao.Faults.SetDownAsync(true);
        await Assert.ThrowsAsync<HttpRequestException>(() => primary.GetAsync("v1/sys/health"));
        var encrypted = await backup.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = "b2s=" }, token);
        Assert.Equal(HttpStatusCode.OK, encrypted.Status);
        Assert.False(_host.OpenBaoBackup.Faults.Down);

        await _host.OpenBao.Faults.SetDownAsync(false);
        await _host.OpenBaoBackup.Faults.ApplyAsync(new OpenKcm.Sandbox.Faults.FaultSettings { Sealed = true });
        Assert.Equal(HttpStatusCode.OK, (await primary.GetAsync("v1/sys/health")).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await backup.GetAsync("v1/sys/health")).Status);
    }

    [Fact]
    public void Manifest_HasAnImportEntryForTheBackupWithItsOwnAddress()
    {
        var manifest = _host.Manifest;
        var entry = manifest[OpenBaoEmulator.BackupName]!.AsObject();

        Assert.Equal("openbao", entry["plugin_type"]!.GetValue<string>());
        Assert.Equal("sandbox_openbao_backup", entry["plugin_name"]!.GetValue<string>());
        Assert.Equal(_host.OpenBaoBackup.BaseAddress.GetLeftPart(UriPartial.Authority), entry["configuration"]!["vault_address"]!.GetValue<string>());
        Assert.Equal(_host.OpenBao.RoleId, entry["configuration"]!["role_id"]!.GetValue<string>());
        Assert.Equal(_host.OpenBaoBackup.RootToken, manifest["sandbox_admin"]![OpenBaoEmulator.BackupName]!["root_token"]!.GetValue<string>());
        Assert.Contains(_host.Emulators, e => e.Name == OpenBaoEmulator.BackupName);
    }

    [Fact]
    public async Task KeysCreatedThroughTheBackup_SurviveARestartWithThePrimarysState()
    {
        using (var backup = new VaultApi(_host.OpenBaoBackup.BaseAddress))
        {
            await backup.PostAsync($"v1/{Mount}/keys/made-on-backup", new JsonObject { ["type"] = "aes256-gcm96" }, _host.OpenBaoBackup.RootToken);
        }

        await _host.DisposeAsync();
        _host = await SandboxHost.StartAsync(
            new SandboxOptions { DataDirectory = _directory, EnableLuna = false, PersistState = true }, CancellationToken.None);

        using var restarted = new VaultApi(_host.OpenBaoBackup.BaseAddress);
        Assert.Equal(HttpStatusCode.OK, (await restarted.GetAsync($"v1/{Mount}/keys/made-on-backup", _host.OpenBaoBackup.RootToken)).Status);
    }
}
