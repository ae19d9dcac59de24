using OpenKcm.Sandbox.AwsKms;
using OpenKcm.Sandbox.Tests.AwsKms.Support;

namespace OpenKcm.Sandbox.Tests.AwsKms;

/// <summary>The emulator's public surface: seed, manifest entry, redaction, options and admin argument checks.</summary>
public sealed class AwsKmsEmulatorTests : AwsKmsTest
{
    [Fact]
    public void Seed_HasTheOpenKcmScenario()
    {
        Assert.Equal("aws_kms", Aws.Name);
        Assert.Equal("us-east-1", Aws.Region);
        Assert.Equal("111122223333", Aws.AccountId);
        Assert.Matches("^AKIA[A-Z2-7]{16}$", Aws.ConsoleAccessKey.AccessKeyId);
        Assert.Equal("arn:aws:iam::111122223333:role/OpenKcmKeystoreAccess", Aws.RoleArn);
        Assert.Equal($"arn:aws:kms:us-east-1:111122223333:key/{Aws.KeyId}", Aws.KeyArn);
        Assert.Equal("alias/openkcm-l1", Aws.AliasName);
        Assert.Equal("Enabled", Aws.Admin.GetKeyState(Aws.AliasName));
    }

    [Fact]
    public void ManifestEntry_IsTheWizardImportShapeWithoutTheSecret()
    {
        var entry = Aws.ManifestEntry();
        var configuration = entry["configuration"]!;

        Assert.Equal("aws_kms", entry["plugin_type"]!.GetValue<string>());
        Assert.Equal("sandbox_aws_kms", entry["plugin_name"]!.GetValue<string>());
        Assert.Equal("us-east-1", configuration["region"]!.GetValue<string>());
        Assert.Equal(Aws.KeyArn, configuration["kms_key_id"]!.GetValue<string>());
        Assert.Equal(Aws.RoleArn, configuration["role_arn"]!.GetValue<string>());
        Assert.Equal(Aws.ExternalId, configuration["external_id"]!.GetValue<string>());
        Assert.Equal(Aws.BaseAddress.GetLeftPart(UriPartial.Authority), configuration["endpoint"]!.GetValue<string>());
        Assert.Equal("access_keys", configuration["credential_source"]!.GetValue<string>());
        Assert.Equal(Aws.ConsoleAccessKey.AccessKeyId, configuration["access_key_id"]!.GetValue<string>());
        Assert.DoesNotContain(Aws.ConsoleAccessKey.SecretAccessKey, entry.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(Aws.ConsoleAccessKey.SecretAccessKey, Aws.SandboxAdminEntry()["secret_access_key"]!.GetValue<string>());
    }

    [Fact]
    public void AccessKey_ToString_RedactsTheSecret()
    {
        var text = Aws.ConsoleAccessKey.ToString();

        Assert.Contains(Aws.ConsoleAccessKey.AccessKeyId, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Aws.ConsoleAccessKey.SecretAccessKey, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoStarts_HaveDifferentCredentialsAndKeys()
    {
        await using var other = await AwsKmsEmulator.StartAsync(new AwsKmsEmulatorOptions(), CancellationToken.None);

        Assert.NotEqual(Aws.ConsoleAccessKey, other.ConsoleAccessKey);
        Assert.NotEqual(Aws.ExternalId, other.ExternalId);
        Assert.NotEqual(Aws.KeyId, other.KeyId);
        Assert.NotEqual(Aws.BaseAddress, other.BaseAddress);
    }

    [Fact]
    public async Task OtherRegionAndAccount_AreServedAndNamedEverywhere()
    {
        await using var other = await AwsKmsEmulator.StartAsync(
            new AwsKmsEmulatorOptions { Region = "eu-central-1", AccountId = "444455556666", TimeProvider = Clock }, CancellationToken.None);
        using var api = new AwsApi(other.BaseAddress, other.Region, Clock);

        var identity = await api.CallerIdentityAsync(AwsCredentials.From(other.ConsoleAccessKey));

        Assert.StartsWith("arn:aws:kms:eu-central-1:444455556666:key/", other.KeyArn, StringComparison.Ordinal);
        Assert.Equal("444455556666", identity.StsValue("Account"));
    }

    [Theory]
    [InlineData("us-east-1", "12345")]
    [InlineData("US EAST", "111122223333")]
    public async Task Start_InvalidOptions_IsArgumentException(string region, string account)
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            AwsKmsEmulator.StartAsync(new AwsKmsEmulatorOptions { Region = region, AccountId = account }, CancellationToken.None));
    }

    [Fact]
    public void Admin_InvalidArguments_AreArgumentExceptionsThatChangeNothing()
    {
        Assert.Throws<ArgumentException>(() => Aws.Admin.CreateKey(keyUsage: "ENCRYPT"));
        Assert.Throws<ArgumentException>(() => Aws.Admin.CreateKey(keySpec: "AES_256"));
        Assert.Throws<ArgumentException>(() => Aws.Admin.CreateKey(keyState: "Gone"));
        Assert.Throws<ArgumentException>(() => Aws.Admin.CreateKey(alias: "alias/openkcm-l1"));
        Assert.Throws<ArgumentException>(() => Aws.Admin.CreateKey(alias: "no-prefix"));
        Assert.Throws<ArgumentException>(() => Aws.Admin.SetKeyState("alias/none", "Disabled"));
        Assert.Throws<ArgumentException>(() => Aws.Admin.SetKeyState(Aws.KeyArn, "Deleted"));
        Assert.Throws<ArgumentException>(() => Aws.Admin.CreateUser("bad name", []));
        Assert.Throws<ArgumentException>(() => Aws.Admin.CreateUser("ok", ["Encrypt"]));
        Assert.Throws<ArgumentException>(() => Aws.Admin.CreateRole("R", Aws.ConsoleUserArn, "x", []));
        Assert.Throws<ArgumentException>(() => Aws.Admin.SetRoleActions("arn:aws:iam::111122223333:role/None", []));
        Assert.Throws<ArgumentOutOfRangeException>(() => Aws.Admin.SetRoleMaxSessionDuration(Aws.RoleArn, TimeSpan.FromHours(13)));

        Assert.Equal("Enabled", Aws.Admin.GetKeyState(Aws.KeyArn));
        Assert.Throws<ArgumentException>(() => Aws.Admin.GetKeyState("alias/no-prefix-key"));
    }

    [Fact]
    public void Admin_CreateKeyInAState_HasThatState()
    {
        var arn = Aws.Admin.CreateKey(keyState: "PendingDeletion");

        Assert.Equal("PendingDeletion", Aws.Admin.GetKeyState(arn));
    }
}
