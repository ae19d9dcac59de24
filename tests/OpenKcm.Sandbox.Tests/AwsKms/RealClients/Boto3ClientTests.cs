using System.Text.Json.Nodes;
using OpenKcm.Sandbox.AwsKms;

namespace OpenKcm.Sandbox.Tests.AwsKms.RealClients;

/// <summary>
/// AWS's Python SDK (Debian's python3-boto3 under /usr/bin/python3, not a pyenv interpreter) against the emulator:
/// typed exceptions, paginators and blob/timestamp parsing are what a real SDK checks beyond the CLI.
/// </summary>
public sealed class Boto3ClientTests : IAsyncLifetime
{
    private const string Python = "/usr/bin/python3";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "openkcm-boto3-tests", Guid.NewGuid().ToString("N"));
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
    public async Task Boto3_FullJourney_Succeeds()
    {
        await RequireBoto3Async();
        var disabled = _aws.Admin.CreateKey(keyState: "Disabled");
        for (var i = 0; i < 3; i++)
        {
            _aws.Admin.CreateKey();
        }

        var admin = _aws.Admin.CreateUser("boto3-admin", ["kms:ListKeys"]);
        var script = Path.Combine(_directory, "boto3_journey.py");
        await File.WriteAllTextAsync(script, Boto3Script.Text);

        var (exitCode, output, error) = await ExternalProcess.RunAsync(Python, [script], new Dictionary<string, string>
        {
            ["ENDPOINT"] = _aws.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["REGION"] = _aws.Region,
            ["ACCESS_KEY_ID"] = _aws.ConsoleAccessKey.AccessKeyId,
            ["SECRET_ACCESS_KEY"] = _aws.ConsoleAccessKey.SecretAccessKey,
            ["ROLE_ARN"] = _aws.RoleArn,
            ["EXTERNAL_ID"] = _aws.ExternalId,
            ["ALIAS"] = _aws.AliasName,
            ["DISABLED_KEY"] = disabled,
            ["ADMIN_KEY_ID"] = admin.AccessKeyId,
            ["ADMIN_SECRET"] = admin.SecretAccessKey,
        }, _directory);

        Assert.True(exitCode == 0, $"boto3 journey failed ({exitCode}):\n{error}\n{output}");
        Assert.Equal("ok", JsonNode.Parse(output.Trim().Split('\n')[^1])!["result"]!.GetValue<string>());
    }

    private async Task RequireBoto3Async()
    {
        var (exitCode, _, error) = File.Exists(Python)
            ? await ExternalProcess.RunAsync(Python, ["-c", "import boto3"], new Dictionary<string, string>(), _directory)
            : (-1, "", $"{Python} does not exist");
        if (exitCode != 0)
        {
            Assert.Fail($"boto3 is missing ({error.Trim()}): install it with `apt-get install python3-boto3` (test.sh does).");
        }
    }
}
