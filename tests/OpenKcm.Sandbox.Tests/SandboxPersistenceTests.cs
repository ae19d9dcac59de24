using System.Net;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.OpenBao;
using OpenKcm.Sandbox.Tests.Support;

namespace OpenKcm.Sandbox.Tests;

/// <summary>
/// <see cref="SandboxOptions.PersistState"/>: a sandbox stopped and started again on the same data directory is the
/// same server to its clients (credentials, keys, port), over real HTTP; a bad state file never stops it.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class SandboxPersistenceTests : IDisposable
{
    private const string Mount = OpenBaoEmulator.MountPath;
    private const string Key = OpenBaoEmulator.KeyName;
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const string TeamPolicy = """
        path "team-keys/encrypt/k1" {
          capabilities = ["update"]
        }

        path "team-keys/decrypt/k1" {
          capabilities = ["update"]
        }
        """;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "openkcm-sandbox-tests", Guid.NewGuid().ToString("N"));
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly CapturedLogs _logs = new();
    private readonly ILoggerFactory _loggers;

    public SandboxPersistenceTests()
    {
        _loggers = _logs.CreateFactory();
    }

    private string StatePath => Path.Combine(_directory, SandboxOptions.OpenBaoStateFileName);

    [Fact]
    public async Task Restart_WithPersistState_KeepsCredentialsRootTokenPortAndManifestEntry()
    {
        SeenIdentity before;
        JsonNode entry;
        await using (var first = await StartAsync())
        {
            before = Identity(first);
            entry = first.Manifest["openbao"]!;
        }

        await using var second = await StartAsync();

        Assert.Equal(before, Identity(second));
        Assert.Equal(entry.ToJsonString(), second.Manifest["openbao"]!.ToJsonString());
        Assert.Equal(before.SecretId, await File.ReadAllTextAsync(second.SecretIdPath));
        using var api = new VaultApi(second.OpenBao.BaseAddress);
        await api.LoginAsync(before.RoleId, before.SecretId);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("v1/auth/token/lookup-self", before.RootToken)).Status);
    }

    [Fact]
    public async Task Restart_WithPersistState_KeepsTheAwsAccountAndTheLunaToken()
    {
        string aws;
        string awsSecret;
        string luna;
        string lunaPin;
        await using (var first = await StartAsync())
        {
            aws = first.Manifest["aws_kms"]!.ToJsonString();
            awsSecret = first.AwsKms.ConsoleAccessKey.SecretAccessKey;
            luna = first.Manifest["thales_luna"]!.ToJsonString();
            lunaPin = first.Luna!.UserPin;
        }

        await using var second = await StartAsync();

        // The same import entries: a keystore onboarded against them keeps working after a console restart.
        Assert.Equal(aws, second.Manifest["aws_kms"]!.ToJsonString());
        Assert.Equal(awsSecret, second.AwsKms.ConsoleAccessKey.SecretAccessKey);
        Assert.Equal(luna, second.Manifest["thales_luna"]!.ToJsonString());
        Assert.Equal(lunaPin, second.Luna!.UserPin);
        Assert.True(File.Exists(Path.Combine(_directory, SandboxOptions.AwsKmsStateFileName)));
    }

    [Fact]
    public async Task Restart_WithPersistState_DecryptsACiphertextMadeBeforeTheRestart()
    {
        var plaintext = Convert.ToBase64String(Encoding.UTF8.GetBytes("tenant L2 key material"));
        string ciphertext;
        await using (var first = await StartAsync())
        {
            using var api = new VaultApi(first.OpenBao.BaseAddress);
            var token = await api.LoginAsync(first.OpenBao.RoleId, first.OpenBao.SecretId);
            var encrypted = await api.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = plaintext }, token);
            ciphertext = encrypted.Data["ciphertext"]!.GetValue<string>();
        }

        await using var second = await StartAsync();
        using var restarted = new VaultApi(second.OpenBao.BaseAddress);
        var newToken = await restarted.LoginAsync(second.OpenBao.RoleId, second.OpenBao.SecretId);
        var decrypted = await restarted.PostAsync($"v1/{Mount}/decrypt/{Key}", new JsonObject { ["ciphertext"] = ciphertext }, newToken);

        Assert.StartsWith("vault:v1:", ciphertext, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, decrypted.Status);
        Assert.Equal(plaintext, decrypted.Data["plaintext"]!.GetValue<string>());
    }

    [Fact]
    public async Task Restart_WithPersistState_KeepsRuntimePoliciesRolesMountsNamespacesAndKeyVersions()
    {
        AppRoleCredentials team;
        string teamCiphertext, rotatedCiphertext, root;
        await using (var first = await StartAsync())
        {
            root = first.OpenBao.RootToken;
            using var admin = first.OpenBao.CreateAdminClient();
            await admin.WritePolicyAsync("team-keys", TeamPolicy);
            await admin.EnableTransitAsync("team-keys");
            await admin.CreateTransitKeyAsync("team-keys", "k1");
            team = await admin.CreateAppRoleAsync("team-service", ["team-keys"]);
            await admin.CreateNamespaceAsync("team-a");
            using var api = new VaultApi(first.OpenBao.BaseAddress);
            var teamToken = await api.LoginAsync(team.RoleId, team.SecretId);
            teamCiphertext = (await api.PostAsync("v1/team-keys/encrypt/k1", new JsonObject { ["plaintext"] = "dGVhbQ==" }, teamToken))
                .Data["ciphertext"]!.GetValue<string>();
            await api.PostAsync($"v1/{Mount}/keys/{Key}/rotate", token: root);
            rotatedCiphertext = (await api.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = "djI=" }, root))
                .Data["ciphertext"]!.GetValue<string>();
        }

        await using var second = await StartAsync();
        using var restarted = new VaultApi(second.OpenBao.BaseAddress);
        var newTeamToken = await restarted.LoginAsync(team.RoleId, team.SecretId);
        var teamDecrypted = await restarted.PostAsync("v1/team-keys/decrypt/k1", new JsonObject { ["ciphertext"] = teamCiphertext }, newTeamToken);
        var rotatedDecrypted = await restarted.PostAsync($"v1/{Mount}/decrypt/{Key}", new JsonObject { ["ciphertext"] = rotatedCiphertext }, root);
        var policy = await restarted.GetAsync("v1/sys/policies/acl/team-keys", root);
        var key = await restarted.GetAsync($"v1/{Mount}/keys/{Key}", root);
        var ns = await restarted.GetAsync("v1/sys/namespaces/team-a", root);

        Assert.Equal("dGVhbQ==", teamDecrypted.Data["plaintext"]!.GetValue<string>());
        Assert.StartsWith("vault:v2:", rotatedCiphertext, StringComparison.Ordinal);
        Assert.Equal("djI=", rotatedDecrypted.Data["plaintext"]!.GetValue<string>());
        Assert.Equal(TeamPolicy, policy.Data["policy"]!.GetValue<string>());
        Assert.Equal(2, key.Data["latest_version"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, ns.Status);
    }

    [Fact]
    public async Task Restart_WithPersistState_ForgetsLoginTokens()
    {
        string token;
        await using (var first = await StartAsync())
        {
            using var api = new VaultApi(first.OpenBao.BaseAddress);
            token = await api.LoginAsync(first.OpenBao.RoleId, first.OpenBao.SecretId);
        }

        await using var second = await StartAsync();
        using var restarted = new VaultApi(second.OpenBao.BaseAddress);
        var lookup = await restarted.GetAsync("v1/auth/token/lookup-self", token);

        Assert.Equal(HttpStatusCode.Forbidden, lookup.Status);
    }

    [Fact]
    public async Task Change_WithPersistState_IsInTheStateFileWhenTheRequestAnswers()
    {
        await using var host = await StartAsync();
        using var api = new VaultApi(host.OpenBao.BaseAddress);

        var rotated = await api.PostAsync($"v1/{Mount}/keys/{Key}/rotate", token: host.OpenBao.RootToken);

        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        var seededKey = TransitKeys(JsonNode.Parse(await File.ReadAllTextAsync(StatePath))!).Single(k => k["name"]!.GetValue<string>() == Key);
        Assert.Equal(2, seededKey["versions"]!.AsArray().Count);
    }

    [Fact]
    public async Task StateFile_IsOwnerOnlyAndNothingInItIsLogged()
    {
        await using (var first = await StartAsync())
        {
            using var api = new VaultApi(first.OpenBao.BaseAddress);
            await api.PostAsync($"v1/{Mount}/keys/{Key}/rotate", token: first.OpenBao.RootToken);
        }

        await using var second = await StartAsync();

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(StatePath));
        var state = JsonNode.Parse(await File.ReadAllTextAsync(StatePath))!;
        var secrets = TransitKeys(state).SelectMany(k => k["versions"]!.AsArray()).Select(v => v!["material"]!.GetValue<string>())
            .Append(state["root_token"]!.GetValue<string>()).Append(state["secret_id"]!.GetValue<string>()).ToList();
        Assert.Equal(4, secrets.Count);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, _logs.Text, StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{ this is not JSON, root_token: s.leaked")]
    [InlineData("{}")]
    [InlineData("[1, 2, 3]")]
    public async Task StartAsync_WithUnparsableStateFile_MovesItAsideAndSeedsFresh(string content)
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(StatePath, content);

        await using var host = await StartAsync();

        var aside = Assert.Single(Directory.GetFiles(_directory, "openbao-state.json.corrupt-*"));
        Assert.Equal("openbao-state.json.corrupt-20260901T080000Z", Path.GetFileName(aside));
        Assert.Equal(content, await File.ReadAllTextAsync(aside));
        var warning = Assert.Single(_logs.Warnings);
        Assert.Contains(aside, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("leaked", _logs.Text, StringComparison.Ordinal);
        await AssertServesItsOwnSeedAsync(host);
    }

    [Theory]
    [InlineData("format", "format 99")]
    [InlineData("key material", "has 31 bytes of key material")]
    [InlineData("root token", "an empty cluster_id, root_token")]
    [InlineData("policy", "policies[1]: the policy text does not parse")]
    [InlineData("mount type", "neither a transit mount")]
    public async Task StartAsync_WithInvalidStateValues_MovesItAsideSeedsFreshAndSaysWhere(string damage, string reason)
    {
        SeenIdentity before;
        await using (var first = await StartAsync())
        {
            before = Identity(first);
        }

        var state = JsonNode.Parse(await File.ReadAllTextAsync(StatePath))!;
        Damage(state, damage);
        await File.WriteAllTextAsync(StatePath, state.ToJsonString());

        await using var second = await StartAsync();

        Assert.NotEqual(before, Identity(second));
        Assert.Single(Directory.GetFiles(_directory, "openbao-state.json.corrupt-*"));
        var warning = Assert.Single(_logs.Warnings);
        Assert.Contains(reason, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(before.RootToken, _logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(before.SecretId, _logs.Text, StringComparison.Ordinal);
        await AssertServesItsOwnSeedAsync(second);
    }

    [Fact]
    public async Task StartAsync_WhenTheStateCannotBeSaved_StartsAndWarnsOnce()
    {
        // A directory where the file belongs: every atomic rename onto it fails.
        Directory.CreateDirectory(StatePath);

        await using var host = await StartAsync();
        using var api = new VaultApi(host.OpenBao.BaseAddress);
        await api.PostAsync($"v1/{Mount}/keys/{Key}/rotate", token: host.OpenBao.RootToken);

        var warning = Assert.Single(_logs.Warnings);
        Assert.Contains("could not save its state", warning.Message, StringComparison.Ordinal);
        await AssertServesItsOwnSeedAsync(host);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public async Task StartAsync_WithoutPersistState_WritesNoStateFile()
    {
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { DataDirectory = _directory }, CancellationToken.None);

        Assert.False(File.Exists(StatePath));
    }

    public void Dispose()
    {
        _loggers.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static SeenIdentity Identity(SandboxHost host) =>
        new(host.OpenBao.RootToken, host.OpenBao.RoleId, host.OpenBao.SecretId, host.OpenBao.BaseAddress.Port);

    private static IEnumerable<JsonNode> TransitKeys(JsonNode state) =>
        state["namespaces"]!.AsArray().SelectMany(ns => ns!["mounts"]!.AsArray())
            .Where(m => m!["transit_keys"] is JsonArray).SelectMany(m => m!["transit_keys"]!.AsArray()).Select(k => k!);

    private static void Damage(JsonNode state, string damage)
    {
        var root = state["namespaces"]![0]!;
        switch (damage)
        {
            case "format":
                state["format"] = 99;
                break;
            case "key material":
                var version = TransitKeys(state).First()["versions"]![0]!;
                version["material"] = Convert.ToBase64String(new byte[31]);
                break;
            case "root token":
                state["root_token"] = "";
                break;
            case "policy":
                root["policies"]![1]!["text"] = "path \"unterminated {";
                break;
            case "mount type":
                root["mounts"]![0]!["type"] = "kv";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
    }

    private static async Task AssertServesItsOwnSeedAsync(SandboxHost host)
    {
        using var api = new VaultApi(host.OpenBao.BaseAddress);
        var token = await api.LoginAsync(host.OpenBao.RoleId, host.OpenBao.SecretId);
        var encrypted = await api.PostAsync($"v1/{Mount}/encrypt/{Key}", new JsonObject { ["plaintext"] = "aGk=" }, token);
        Assert.Equal(HttpStatusCode.OK, encrypted.Status);
    }

    private Task<SandboxHost> StartAsync() => SandboxHost.StartAsync(new SandboxOptions
    {
        DataDirectory = _directory,
        PersistState = true,
        LoggerFactory = _loggers,
        TimeProvider = _clock,
    }, CancellationToken.None);

    private sealed record SeenIdentity(string RootToken, string RoleId, string SecretId, int Port);
}
