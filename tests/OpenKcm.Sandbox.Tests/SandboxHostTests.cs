using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.OpenBao;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests;

[UnsupportedOSPlatform("windows")]
public sealed class SandboxHostTests : SandboxTest
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public void Manifest_HasImportEntryControlUrlAndAdminSection()
    {
        var manifest = Host.Manifest;

        Assert.Equal(["control_url", "openbao", "openbao_backup", "aws_kms", "thales_luna", "sandbox_admin"], manifest.Select(p => p.Key));
        Assert.Equal(Host.ControlUrl.ToString(), manifest["control_url"]!.GetValue<string>());
        var entry = manifest["openbao"]!.AsObject();
        Assert.Equal(["plugin_type", "plugin_name", "configuration"], entry.Select(p => p.Key));
        Assert.Equal("openbao", entry["plugin_type"]!.GetValue<string>());
        Assert.Equal("sandbox_openbao", entry["plugin_name"]!.GetValue<string>());
        var configuration = entry["configuration"]!.AsObject();
        Assert.Equal(["vault_address", "auth_method", "role_id", "secret_id_path", "mount_path", "key_name"],
            configuration.Select(p => p.Key));
        Assert.Equal($"http://127.0.0.1:{OpenBao.BaseAddress.Port}", configuration["vault_address"]!.GetValue<string>());
        Assert.Equal("approle", configuration["auth_method"]!.GetValue<string>());
        Assert.Equal(OpenBao.RoleId, configuration["role_id"]!.GetValue<string>());
        Assert.Equal(Path.Combine(Path.GetFullPath(DataDirectory), "openbao-secret-id"), configuration["secret_id_path"]!.GetValue<string>());
        Assert.Equal("openkcm-keys", configuration["mount_path"]!.GetValue<string>());
        Assert.Equal("customer-master-key", configuration["key_name"]!.GetValue<string>());
        Assert.Equal(OpenBao.RootToken, manifest["sandbox_admin"]!["openbao"]!["root_token"]!.GetValue<string>());
    }

    [Fact]
    public void Manifest_KeepsSecretsOutOfTheImportEntry()
    {
        var manifest = Host.Manifest;

        Assert.DoesNotContain(OpenBao.RootToken, manifest["openbao"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(OpenBao.SecretId, manifest.ToJsonString(), StringComparison.Ordinal);
        var luna = Host.Luna!;
        foreach (var entry in new[] { "openbao", "aws_kms", "thales_luna" }.Select(name => manifest[name]!.ToJsonString()))
        {
            Assert.DoesNotContain(Host.AwsKms.ConsoleAccessKey.SecretAccessKey, entry, StringComparison.Ordinal);
            Assert.DoesNotContain(luna.UserPin, entry, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", entry, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Manifest_AwsAndLunaEntries_ImportAsTheyAreAndNameWhatToolsNeed()
    {
        var manifest = Host.Manifest;

        var aws = manifest["aws_kms"]!["configuration"]!;
        Assert.Equal(Host.AwsKms.KeyArn, aws["kms_key_id"]!.GetValue<string>());
        Assert.Equal(Host.AwsKms.RoleArn, aws["role_arn"]!.GetValue<string>());
        Assert.Equal($"http://127.0.0.1:{Host.AwsKms.BaseAddress.Port}", aws["endpoint"]!.GetValue<string>());
        var awsAdmin = manifest["sandbox_admin"]!["aws_kms"]!;
        Assert.Equal(Host.AwsKms.ConsoleAccessKey.SecretAccessKey, awsAdmin["secret_access_key"]!.GetValue<string>());
        Assert.Equal(new Uri(Host.ControlUrl, "aws_kms").ToString(), awsAdmin["control_url"]!.GetValue<string>());

        var luna = Host.Luna!;
        Assert.True(luna.IsAvailable, luna.UnavailableReason);
        var lunaConfiguration = manifest["thales_luna"]!["configuration"]!;
        Assert.Equal(["127.0.0.1", "127.0.0.2"], lunaConfiguration["hsm_ip_addresses"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(luna.NtlsPort, lunaConfiguration["ntls_port"]!.GetValue<int>());
        var lunaAdmin = manifest["sandbox_admin"]!["thales_luna"]!;
        Assert.Equal(luna.SoftHsmConfPath, lunaAdmin["softhsm2_conf"]!.GetValue<string>());
        Assert.Equal(luna.Appliances.Select(a => new Uri(Host.ControlUrl, a.Name).ToString()),
            lunaAdmin["control_urls"]!.AsArray().Select(u => u!.GetValue<string>()));
    }

    [Fact]
    public void Manifest_ReturnsACopy()
    {
        Host.Manifest["openbao"]!["plugin_name"] = "changed";

        Assert.Equal("sandbox_openbao", Host.Manifest["openbao"]!["plugin_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task SecretIdFile_HoldsSecretIdWithMode0600()
    {
        var path = Host.Manifest["openbao"]!["configuration"]!["secret_id_path"]!.GetValue<string>();

        Assert.Equal(OpenBao.SecretId, await File.ReadAllTextAsync(path));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        Assert.Equal(path, Host.SecretIdPath);
    }

    [Fact]
    public async Task WriteManifest_WritesTheManifestWithMode0600EvenOverAWiderFile()
    {
        var path = Path.Combine(DataDirectory, "nested", "manifest.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "old");
        File.SetUnixFileMode(path, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await Host.WriteManifestAsync(path);

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        Assert.Equal(Host.Manifest.ToJsonString(), JsonNode.Parse(await File.ReadAllTextAsync(path))!.ToJsonString());
    }

    [Fact]
    public async Task ManifestEntry_WorksAsIsForAppRoleLoginAndEncrypt()
    {
        var configuration = Host.Manifest["openbao"]!["configuration"]!;
        using var api = new VaultApi(new Uri(configuration["vault_address"]!.GetValue<string>()));
        var secretId = await File.ReadAllTextAsync(configuration["secret_id_path"]!.GetValue<string>());

        var token = await api.LoginAsync(configuration["role_id"]!.GetValue<string>(), secretId);
        var encrypt = await api.PostAsync(
            $"v1/{configuration["mount_path"]}/encrypt/{configuration["key_name"]}", new JsonObject { ["plaintext"] = "aGk=" }, token);

        Assert.Equal(HttpStatusCode.OK, encrypt.Status);
    }

    [Fact]
    public async Task Seed_PolicyIsExactlyTheLeastPrivilegeSet()
    {
        var reply = await Api.GetAsync($"v1/sys/policies/acl/{OpenBaoEmulator.PolicyName}", Root);

        var rules = Sandbox.OpenBao.Policies.PolicyParser.Parse("p", reply.Data["policy"]!.GetValue<string>()).Rules
            .Select(r => $"{r.Pattern}={string.Join(',', Sandbox.OpenBao.Policies.CapabilityNames.Describe(r.Capabilities))}");
        Assert.Equal([
            "openkcm-keys/keys/customer-master-key=read",
            "openkcm-keys/encrypt/customer-master-key=update",
            "openkcm-keys/decrypt/customer-master-key=update",
            "auth/token/lookup-self=read",
            "auth/token/renew-self=update",
        ], rules);
    }

    [Fact]
    public void Emulator_ListensOnLoopbackOnly()
    {
        Assert.Equal("127.0.0.1", OpenBao.BaseAddress.Host);
        var otherAddresses = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        foreach (var address in otherAddresses)
        {
            using var tcp = new TcpClient();
            var error = Assert.ThrowsAny<SocketException>(() => tcp.Connect(address, OpenBao.BaseAddress.Port));
            Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        }
    }

    [Fact]
    public async Task TwoHosts_HaveSeparatePortsAndState()
    {
        var directory = Path.Combine(DataDirectory, "second");
        await using var second = await SandboxHost.StartAsync(new SandboxOptions { DataDirectory = directory }, CancellationToken.None);

        Assert.NotEqual(OpenBao.BaseAddress.Port, second.OpenBao.BaseAddress.Port);
        Assert.NotEqual(OpenBao.RoleId, second.OpenBao.RoleId);
        var foreign = await Api.GetAsync("v1/auth/token/lookup-self", second.OpenBao.RootToken);
        Assert.Equal(HttpStatusCode.Forbidden, foreign.Status);
    }

    [Fact]
    public async Task StartAsync_LeavesOutTheAspNetHostStatusMessages()
    {
        var logs = new CapturedLogs();
        using var loggers = logs.CreateFactory();
        var options = new SandboxOptions { DataDirectory = Path.Combine(DataDirectory, "quiet"), LoggerFactory = loggers };
        await using (var host = await SandboxHost.StartAsync(options, CancellationToken.None))
        {
            await host.OpenBao.Faults.SetDownAsync(true);
            await host.OpenBao.Faults.SetDownAsync(false);
        }

        Assert.DoesNotContain(logs.Entries, e => e.Category.StartsWith("Microsoft.Hosting", StringComparison.Ordinal));
        Assert.All(new[] { "Now listening on", "Application started", "Hosting environment", "Content root path" },
            text => Assert.DoesNotContain(text, logs.Text, StringComparison.Ordinal));
        Assert.Single(logs.Entries, e => e.Message.StartsWith("Sandbox started", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dispose_ClosesEveryListener()
    {
        var directory = Path.Combine(DataDirectory, "disposed");
        var host = await SandboxHost.StartAsync(new SandboxOptions { DataDirectory = directory }, CancellationToken.None);
        var ports = new[] { host.OpenBao.BaseAddress.Port, host.ControlUrl.Port };

        await host.DisposeAsync();

        foreach (var port in ports)
        {
            using var tcp = new TcpClient();
            var error = await Assert.ThrowsAsync<SocketException>(() => tcp.ConnectAsync(IPAddress.Loopback, port));
            Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        }
    }
}
