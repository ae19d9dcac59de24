using System.Text;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.AwsKms;

namespace OpenKcm.Sandbox.Tests.AwsKms.RealClients;

/// <summary>
/// AWS's own CLI (Debian's awscli 2.x at /usr/bin/aws, not a pyenv one) against the emulator: it assumes the role
/// with the external ID and uses the session credentials for KMS. The CLI signs with the machine's clock, so the
/// emulator runs on the system clock here.
/// </summary>
public sealed class AwsCliTests : IAsyncLifetime
{
    private const string Cli = "/usr/bin/aws";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "openkcm-aws-cli-tests", Guid.NewGuid().ToString("N"));
    private AwsKmsEmulator _aws = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _aws = await AwsKmsEmulator.StartAsync(new AwsKmsEmulatorOptions(), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _aws.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task AwsCli_AssumeRoleThenKms_Succeeds()
    {
        await RequireCliAsync();
        var console = Environment(_aws.ConsoleAccessKey.AccessKeyId, _aws.ConsoleAccessKey.SecretAccessKey, null);

        var identity = await RunJsonAsync(console, "sts", "get-caller-identity");
        Assert.Equal(_aws.ConsoleUserArn, identity["Arn"]!.GetValue<string>());
        Assert.Equal(_aws.AccountId, identity["Account"]!.GetValue<string>());

        var assumed = await RunJsonAsync(console, "sts", "assume-role", "--role-arn", _aws.RoleArn, "--role-session-name", "openkcm-cli",
            "--external-id", _aws.ExternalId);
        var credentials = assumed["Credentials"]!;
        Assert.StartsWith("ASIA", credentials["AccessKeyId"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal($"arn:aws:sts::{_aws.AccountId}:assumed-role/{AwsKmsEmulator.RoleName}/openkcm-cli",
            assumed["AssumedRoleUser"]!["Arn"]!.GetValue<string>());
        var session = Environment(credentials["AccessKeyId"]!.GetValue<string>(), credentials["SecretAccessKey"]!.GetValue<string>(),
            credentials["SessionToken"]!.GetValue<string>());

        var roleIdentity = await RunJsonAsync(session, "sts", "get-caller-identity");
        Assert.Equal(assumed["AssumedRoleUser"]!["Arn"]!.GetValue<string>(), roleIdentity["Arn"]!.GetValue<string>());

        var described = await RunJsonAsync(session, "kms", "describe-key", "--key-id", _aws.AliasName);
        Assert.Equal(_aws.KeyArn, described["KeyMetadata"]!["Arn"]!.GetValue<string>());
        Assert.Equal("Enabled", described["KeyMetadata"]!["KeyState"]!.GetValue<string>());

        var plaintextFile = Path.Combine(_directory, "plaintext.bin");
        await File.WriteAllTextAsync(plaintextFile, "openkcm tenant key material");
        var encrypted = await RunJsonAsync(session, "kms", "encrypt", "--key-id", _aws.KeyArn, "--plaintext", "fileb://" + plaintextFile,
            "--encryption-context", "tenant=t1,purpose=l2-wrap");
        Assert.Equal(_aws.KeyArn, encrypted["KeyId"]!.GetValue<string>());
        var ciphertextFile = Path.Combine(_directory, "ciphertext.bin");
        await File.WriteAllBytesAsync(ciphertextFile, Convert.FromBase64String(encrypted["CiphertextBlob"]!.GetValue<string>()));

        var decrypted = await RunJsonAsync(session, "kms", "decrypt", "--ciphertext-blob", "fileb://" + ciphertextFile,
            "--encryption-context", "tenant=t1,purpose=l2-wrap");
        Assert.Equal("openkcm tenant key material", Encoding.UTF8.GetString(Convert.FromBase64String(decrypted["Plaintext"]!.GetValue<string>())));

        var dataKey = await RunJsonAsync(session, "kms", "generate-data-key", "--key-id", _aws.KeyId, "--key-spec", "AES_256");
        Assert.Equal(32, Convert.FromBase64String(dataKey["Plaintext"]!.GetValue<string>()).Length);

        var wrongContext = await RunAsync(session, "kms", "decrypt", "--ciphertext-blob", "fileb://" + ciphertextFile,
            "--encryption-context", "tenant=t2,purpose=l2-wrap");
        Assert.NotEqual(0, wrongContext.ExitCode);
        Assert.Contains("InvalidCiphertextException", wrongContext.Error, StringComparison.Ordinal);

        var listDenied = await RunAsync(session, "kms", "list-keys");
        Assert.NotEqual(0, listDenied.ExitCode);
        Assert.Contains("AccessDeniedException", listDenied.Error, StringComparison.Ordinal);
        Assert.Contains("kms:ListKeys", listDenied.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwsCli_ListKeysWithPaging_FollowsMarkers()
    {
        await RequireCliAsync();
        for (var i = 0; i < 4; i++)
        {
            _aws.Admin.CreateKey();
        }

        var admin = _aws.Admin.CreateUser("cli-admin", ["kms:ListKeys", "kms:ListAliases"]);
        var environment = Environment(admin.AccessKeyId, admin.SecretAccessKey, null);

        // --page-size makes the CLI send Limit=2 and follow NextMarker until Truncated is false.
        var keys = await RunJsonAsync(environment, "kms", "list-keys", "--page-size", "2");
        Assert.Equal(5, keys["Keys"]!.AsArray().Count);
        var aliases = await RunJsonAsync(environment, "kms", "list-aliases");
        Assert.Equal(_aws.AliasName, aliases["Aliases"]![0]!["AliasName"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("wrong-external-id")]
    [InlineData(null)]
    public async Task AwsCli_AssumeRoleWithoutTheRightExternalId_IsAccessDenied(string? externalId)
    {
        await RequireCliAsync();
        var console = Environment(_aws.ConsoleAccessKey.AccessKeyId, _aws.ConsoleAccessKey.SecretAccessKey, null);
        string[] args = externalId is null
            ? ["sts", "assume-role", "--role-arn", _aws.RoleArn, "--role-session-name", "s1"]
            : ["sts", "assume-role", "--role-arn", _aws.RoleArn, "--role-session-name", "s1", "--external-id", externalId];

        var (exitCode, _, error) = await RunAsync(console, args);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"(AccessDenied) when calling the AssumeRole operation: User: {_aws.ConsoleUserArn} is not authorized to perform: sts:AssumeRole on resource: {_aws.RoleArn}",
            error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwsCli_WrongSecret_IsSignatureDoesNotMatch()
    {
        await RequireCliAsync();
        var (exitCode, _, error) = await RunAsync(Environment(_aws.ConsoleAccessKey.AccessKeyId, "wrong" + _aws.ConsoleAccessKey.SecretAccessKey[5..], null),
            "sts", "get-caller-identity");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("(SignatureDoesNotMatch)", error, StringComparison.Ordinal);
    }

    private Dictionary<string, string> Environment(string accessKeyId, string secret, string? token)
    {
        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = accessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = secret,
            ["AWS_DEFAULT_REGION"] = _aws.Region,
        };
        if (token is not null)
        {
            environment["AWS_SESSION_TOKEN"] = token;
        }

        return environment;
    }

    private async Task<JsonNode> RunJsonAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var (exitCode, output, error) = await RunAsync(environment, args);
        Assert.True(exitCode == 0, $"aws {string.Join(' ', args.Take(2))} failed ({exitCode}):\n{error}\n{output}");
        return JsonNode.Parse(output)!;
    }

    private Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        ExternalProcess.RunAsync(Cli, [.. args, "--endpoint-url", _aws.BaseAddress.GetLeftPart(UriPartial.Authority), "--output", "json"],
            environment, _directory);

    private async Task RequireCliAsync()
    {
        var (exitCode, output, error) = File.Exists(Cli)
            ? await ExternalProcess.RunAsync(Cli, ["--version"], new Dictionary<string, string>(), _directory)
            : (-1, "", $"{Cli} does not exist");
        if (exitCode != 0 || !output.StartsWith("aws-cli/2.", StringComparison.Ordinal))
        {
            Assert.Fail($"The AWS CLI v2 is missing ({(error + output).Trim()}): install it with `apt-get install awscli` (Debian 12: 2.9.19; test.sh does).");
        }
    }
}
