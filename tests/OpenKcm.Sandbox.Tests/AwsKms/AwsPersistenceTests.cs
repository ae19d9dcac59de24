using System.Net;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.AwsKms;
using OpenKcm.Sandbox.Tests.AwsKms.Support;

namespace OpenKcm.Sandbox.Tests.AwsKms;

/// <summary>The optional state file: what survives a restart, its mode, and what happens to a file that cannot be used.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class AwsPersistenceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "openkcm-aws-state-tests", Guid.NewGuid().ToString("N"));
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero));

    public AwsPersistenceTests() => Directory.CreateDirectory(_directory);

    private string StatePath => Path.Combine(_directory, "aws-kms-state.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<AwsKmsEmulator> StartAsync(string region = "us-east-1") =>
        AwsKmsEmulator.StartAsync(new AwsKmsEmulatorOptions { TimeProvider = _clock, StatePath = StatePath, Region = region }, CancellationToken.None);

    [Fact]
    public async Task Restart_KeepsUsersRolesKeysAndPortButNotSessions()
    {
        string blob, disabledKey, rsaKey, rsaBlob;
        AwsAccessKey consoleKey, adminKey;
        string externalId, keyArn;
        Uri address;
        AwsCredentials oldSession;
        await using (var first = await StartAsync())
        {
            using var api = new AwsApi(first.BaseAddress, first.Region, _clock);
            var assumed = await api.AssumeRoleAsync(AwsCredentials.From(first.ConsoleAccessKey), first.RoleArn, first.ExternalId);
            oldSession = new AwsCredentials(assumed.StsValue("AccessKeyId"), assumed.StsValue("SecretAccessKey"), assumed.StsValue("SessionToken"));
            blob = (await api.KmsAsync("Encrypt", new JsonObject { ["KeyId"] = first.AliasName, ["Plaintext"] = "c2VjcmV0", ["EncryptionContext"] = new JsonObject { ["t"] = "1" } }, oldSession))
                .Json["CiphertextBlob"]!.GetValue<string>();
            disabledKey = first.Admin.CreateKey(alias: "alias/kept", keyState: "Disabled");
            rsaKey = first.Admin.CreateKey("ENCRYPT_DECRYPT", "RSA_2048");
            adminKey = first.Admin.CreateUser("admin", ["kms:*"]);
            first.Admin.SetRoleActions(first.RoleArn, ["kms:Encrypt", "kms:Decrypt"]);
            rsaBlob = (await api.KmsAsync("Encrypt", new JsonObject { ["KeyId"] = rsaKey, ["Plaintext"] = "c2VjcmV0", ["EncryptionAlgorithm"] = "RSAES_OAEP_SHA_256" },
                AwsCredentials.From(adminKey))).Json["CiphertextBlob"]!.GetValue<string>();
            (consoleKey, externalId, keyArn, address) = (first.ConsoleAccessKey, first.ExternalId, first.KeyArn, first.BaseAddress);
        }

        await using var second = await StartAsync();
        using var again = new AwsApi(second.BaseAddress, second.Region, _clock);
        var session = await again.AssumeRoleAsync(AwsCredentials.From(second.ConsoleAccessKey), second.RoleArn, second.ExternalId);
        var credentials = new AwsCredentials(session.StsValue("AccessKeyId"), session.StsValue("SecretAccessKey"), session.StsValue("SessionToken"));
        var decrypted = await again.KmsAsync("Decrypt", new JsonObject { ["CiphertextBlob"] = blob, ["EncryptionContext"] = new JsonObject { ["t"] = "1" } }, credentials);
        var rsaDecrypted = await again.KmsAsync("Decrypt", new JsonObject { ["KeyId"] = rsaKey, ["CiphertextBlob"] = rsaBlob, ["EncryptionAlgorithm"] = "RSAES_OAEP_SHA_256" },
            AwsCredentials.From(adminKey));
        var describe = await again.KmsAsync("DescribeKey", new JsonObject { ["KeyId"] = keyArn }, credentials);
        var oldSessionReply = await again.KmsAsync("Decrypt", new JsonObject { ["CiphertextBlob"] = blob }, oldSession);

        Assert.Equal(consoleKey, second.ConsoleAccessKey);
        Assert.Equal(externalId, second.ExternalId);
        Assert.Equal(keyArn, second.KeyArn);
        Assert.Equal(address, second.BaseAddress);
        Assert.Equal("c2VjcmV0", decrypted.Json["Plaintext"]!.GetValue<string>());
        Assert.Equal("c2VjcmV0", rsaDecrypted.Json["Plaintext"]!.GetValue<string>());
        Assert.Equal("Disabled", second.Admin.GetKeyState("alias/kept"));
        Assert.Equal("Disabled", second.Admin.GetKeyState(disabledKey));
        Assert.Equal("AccessDeniedException", describe.ErrorType);
        Assert.Equal("UnrecognizedClientException", oldSessionReply.ErrorType);
    }

    [Fact]
    public async Task StateFile_IsOwnerOnlyAndUpdatedByApiChanges()
    {
        await using var aws = await StartAsync();
        var admin = AwsCredentials.From(aws.Admin.CreateUser("admin", ["kms:*"]));
        using var api = new AwsApi(aws.BaseAddress, aws.Region, _clock);

        Assert.Equal(HttpStatusCode.OK, (await api.KmsAsync("DisableKey", new JsonObject { ["KeyId"] = aws.KeyArn }, admin)).Status);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(StatePath));
        var state = JsonNode.Parse(await File.ReadAllTextAsync(StatePath))!;
        Assert.Equal("Disabled", state["keys"]!.AsArray().Single(k => k!["key_id"]!.GetValue<string>() == aws.KeyId)!["key_state"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"format\": 2}")]
    public async Task UnusableStateFile_IsMovedAsideAndTheEmulatorSeedsFresh(string content)
    {
        await File.WriteAllTextAsync(StatePath, content);

        await using var aws = await StartAsync();

        Assert.Single(Directory.GetFiles(_directory, "aws-kms-state.json.corrupt-*"));
        Assert.True(File.Exists(StatePath));
        Assert.Equal(aws.ExternalId, JsonNode.Parse(await File.ReadAllTextAsync(StatePath))!["roles"]![0]!["required_external_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task StateOfAnotherRegion_IsMovedAside()
    {
        string firstKey;
        await using (var first = await StartAsync())
        {
            firstKey = first.KeyArn;
        }

        await using var second = await StartAsync("eu-west-1");

        Assert.NotEqual(firstKey, second.KeyArn);
        Assert.StartsWith("arn:aws:kms:eu-west-1:", second.KeyArn, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(_directory, "aws-kms-state.json.corrupt-*"));
    }
}
