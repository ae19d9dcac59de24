using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.AwsKms;
using OpenKcm.Sandbox.AwsKms;

namespace OpenKcm.Providers.Tests.AwsKms;

/// <summary>Test Connection against the AWS KMS + STS emulator over real HTTP: the seeded scenario, then one cause per failure.</summary>
[Collection(AwsKmsCollection.Name)]
public sealed class AwsKmsTestConnectionTests : IAsyncLifetime
{
    private AwsKmsSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await AwsKmsSandbox.StartAsync();

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task TestConnection_SeededScenario_PassesEveryCheck()
    {
        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), _sandbox.Settings(), _sandbox.Secrets());

        AwsKmsChecks.AssertAllPassed(results);
        Assert.Contains(_sandbox.Emulator.ConsoleUserArn, results[AwsKmsCheckIds.ConsoleCredentials].Detail);
        Assert.Contains("assumed-role/" + AwsKmsEmulator.RoleName, results[AwsKmsCheckIds.AssumeRole].Detail);
        Assert.Contains("refuses the console", results[AwsKmsCheckIds.AssumeRole].Detail);
        Assert.Contains(_sandbox.Emulator.KeyArn, results[AwsKmsCheckIds.DescribeKey].Detail);
        Assert.Contains("another context was refused", results[AwsKmsCheckIds.EncryptDecrypt].Detail);
        Assert.Contains("AES-256", results[AwsKmsCheckIds.GenerateDataKey].Detail);
        Assert.All(results.Values, r => Assert.True(r.Duration > TimeSpan.Zero, r.Id));
    }

    [Fact]
    public void SandboxManifestConfiguration_IsValidForCoreAndThePlugin() =>
        Assert.Empty(KeystoreValidation.Validate(_sandbox.Plugin(), _sandbox.Settings(),
            new HashSet<string> { AwsKmsFieldNames.SecretAccessKey }, [AwsKmsFieldNames.SecretAccessKey]));

    [Fact]
    public async Task TestConnection_AliasAsKeyId_PassesWithAWarningNamingTheKeyArn()
    {
        var settings = _sandbox.Settings().With(AwsKmsFieldNames.KmsKeyId, _sandbox.Emulator.AliasName);

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), settings, _sandbox.Secrets());

        var describe = results[AwsKmsCheckIds.DescribeKey];
        Assert.Equal(CheckOutcome.Warning, describe.Outcome);
        Assert.Contains(_sandbox.Emulator.KeyArn, describe.Remedy);
        Assert.Equal(CheckOutcome.Passed, results[AwsKmsCheckIds.GenerateDataKey].Outcome);
    }

    [Fact]
    public async Task TestConnection_WrongExternalId_FailsAssumeRoleNamingTheTrustPolicy()
    {
        var settings = _sandbox.Settings().With(AwsKmsFieldNames.ExternalId, "not-the-external-id");

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), settings, _sandbox.Secrets());

        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.AssumeRole, KeystoreErrorKind.PermissionDenied);
        Assert.Contains($"the role's trust policy refused sts:AssumeRole for {_sandbox.Emulator.ConsoleUserArn}", failed.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("external ID does not match", failed.Detail);
        Assert.Contains("\"sts:ExternalId\": \"not-the-external-id\"", failed.Remedy);
        Assert.Contains(_sandbox.Emulator.ConsoleUserArn, failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_ConsoleUserWithoutStsAssumeRole_FailsAssumeRolePointingAtTheConsolePermission()
    {
        var user = _sandbox.Emulator.Admin.CreateUser("no-assume", []);
        var userArn = $"arn:aws:iam::{_sandbox.Emulator.AccountId}:user/no-assume";
        // A trust on the account (not naming the user) leaves the decision to the user's own policy, as in AWS.
        var role = _sandbox.Emulator.Admin.CreateRole("TrustsTheAccount", $"arn:aws:iam::{_sandbox.Emulator.AccountId}:root",
            _sandbox.Emulator.ExternalId, AwsKmsEmulator.LeastPrivilegeActions);
        var settings = _sandbox.Settings().With(AwsKmsFieldNames.RoleArn, role).With(AwsKmsFieldNames.AccessKeyId, user.AccessKeyId);

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), settings, _sandbox.Secrets(user.SecretAccessKey));

        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.AssumeRole, KeystoreErrorKind.PermissionDenied);
        Assert.Contains(userArn, failed.Detail);
        Assert.Contains("'Console principal's permission' block", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_TrustPolicyWithoutExternalId_WarnsThatTheRoleIsUnprotected()
    {
        var role = _sandbox.CreateRole("NoExternalIdRole", AwsKmsEmulator.LeastPrivilegeActions, requireExternalId: false);
        var settings = _sandbox.Settings().With(AwsKmsFieldNames.RoleArn, role);

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), settings, _sandbox.Secrets());

        var assume = results[AwsKmsCheckIds.AssumeRole];
        Assert.Equal(CheckOutcome.Warning, assume.Outcome);
        Assert.Contains("WITHOUT the external ID", assume.Detail);
        Assert.Contains("sts:ExternalId", assume.Remedy);
    }

    [Fact]
    public async Task TestConnection_ExternalIdProbeFailsWithServerError_WarnsThatItCouldNotBeChecked()
    {
        // The AssumeRole without the external ID meets STS failures (not AccessDenied): unknown is not a pass.
        var plugin = _sandbox.Plugin(wrap: inner => new ServerErrorForHandler(inner, _sandbox.Emulator,
            body => body.Contains("Action=AssumeRole", StringComparison.Ordinal) && !body.Contains("ExternalId=", StringComparison.Ordinal)));

        var results = await AwsKmsChecks.RunAsync(plugin, _sandbox.Settings(), _sandbox.Secrets());

        var assume = results[AwsKmsCheckIds.AssumeRole];
        Assert.Equal(CheckOutcome.Warning, assume.Outcome);
        Assert.Contains("could not be checked", assume.Detail);
        Assert.Contains("sts:ExternalId", assume.Remedy);
        Assert.Equal(CheckOutcome.Passed, results[AwsKmsCheckIds.GenerateDataKey].Outcome);
    }

    [Fact]
    public async Task TestConnection_WrongSecretAccessKey_FailsConsoleCredentialsWithoutShowingTheSecret()
    {
        const string WrongSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGSECRETKEY";

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), _sandbox.Settings(), _sandbox.Secrets(WrongSecret));

        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.ConsoleCredentials, KeystoreErrorKind.AuthenticationFailed);
        Assert.Contains("secret access key does not belong", failed.Detail);
        Assert.All(results.Values, r => Assert.DoesNotContain(WrongSecret, r.Detail + r.Remedy));
        Assert.All(results.Values, r => Assert.DoesNotContain(_sandbox.Emulator.ConsoleAccessKey.SecretAccessKey, r.Detail + r.Remedy));
    }

    [Fact]
    public async Task TestConnection_UnknownAccessKeyId_FailsConsoleCredentialsAsAuthenticationFailed()
    {
        var settings = _sandbox.Settings().With(AwsKmsFieldNames.AccessKeyId, "AKIAIOSFODNN7EXAMPLE");

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), settings, _sandbox.Secrets());

        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.ConsoleCredentials, KeystoreErrorKind.AuthenticationFailed);
        Assert.Contains("does not recognize the access key", failed.Detail);
    }

    [Fact]
    public async Task TestConnection_NoStoredSecret_FailsConsoleCredentialsAsInvalidConfiguration()
    {
        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), _sandbox.Settings(), InMemorySecretResolver.None);

        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.ConsoleCredentials, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("No secret access key is stored", failed.Detail);
    }

    [Fact]
    public async Task TestConnection_DisabledKey_FailsDescribeKeySayingDisabled()
    {
        _sandbox.Emulator.Admin.SetKeyState(_sandbox.Emulator.KeyArn, "Disabled");

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), _sandbox.Settings(), _sandbox.Secrets());

        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.DescribeKey, KeystoreErrorKind.KeyDisabled);
        Assert.Contains("is disabled", failed.Detail);
        Assert.Contains("aws kms enable-key", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_KeyPendingDeletion_FailsDescribeKeyWithTheDeletionDate()
    {
        _sandbox.Emulator.Admin.SetKeyState(_sandbox.Emulator.KeyArn, "PendingDeletion");

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), _sandbox.Settings(), _sandbox.Secrets());

        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.DescribeKey, KeystoreErrorKind.KeyDisabled);
        Assert.Contains("scheduled for deletion on", failed.Detail);
        Assert.Contains("cancel-key-deletion", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_KeyPendingImport_FailsDescribeKeySayingPendingImport()
    {
        var key = _sandbox.Emulator.Admin.CreateKey(keyState: "PendingImport");

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), _sandbox.Settings().With(AwsKmsFieldNames.KmsKeyId, key), _sandbox.Secrets());

        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.DescribeKey, KeystoreErrorKind.KeyDisabled);
        Assert.Contains("pending import", failed.Detail);
        Assert.Contains("import-key-material", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_SignVerifyKey_FailsDescribeKeyOnKeyUsage()
    {
        var key = _sandbox.Emulator.Admin.CreateKey(keyUsage: "SIGN_VERIFY", keySpec: "RSA_2048");

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), _sandbox.Settings().With(AwsKmsFieldNames.KmsKeyId, key), _sandbox.Secrets());

        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.DescribeKey, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("key usage SIGN_VERIFY", failed.Detail);
        Assert.Contains("--key-spec SYMMETRIC_DEFAULT", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_AsymmetricEncryptionKey_FailsDescribeKeyOnKeySpec()
    {
        var key = _sandbox.Emulator.Admin.CreateKey(keyUsage: "ENCRYPT_DECRYPT", keySpec: "RSA_2048");

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), _sandbox.Settings().With(AwsKmsFieldNames.KmsKeyId, key), _sandbox.Secrets());

        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.DescribeKey, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("key spec RSA_2048", failed.Detail);
    }

    [Fact]
    public async Task TestConnection_UnknownKey_FailsDescribeKeyAsKeyNotFound()
    {
        var missing = $"arn:aws:kms:us-east-1:{_sandbox.Emulator.AccountId}:key/00000000-0000-0000-0000-000000000000";

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), _sandbox.Settings().With(AwsKmsFieldNames.KmsKeyId, missing), _sandbox.Secrets());

        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.DescribeKey, KeystoreErrorKind.KeyNotFound);
        Assert.Contains("describe-key", failed.Remedy);
    }

    public static TheoryData<string, string> MissingPermissions => new()
    {
        { "kms:DescribeKey", AwsKmsCheckIds.DescribeKey },
        { "kms:Encrypt", AwsKmsCheckIds.EncryptDecrypt },
        { "kms:Decrypt", AwsKmsCheckIds.EncryptDecrypt },
        { "kms:GenerateDataKey", AwsKmsCheckIds.GenerateDataKey },
    };

    [Theory]
    [MemberData(nameof(MissingPermissions))]
    public async Task TestConnection_RoleWithoutOneAction_FailsTheCheckThatNeedsItNamingThePolicyLine(string action, string checkId)
    {
        var role = _sandbox.CreateRole("MissingOne", AwsKmsEmulator.LeastPrivilegeActions.Where(a => a != action));
        var settings = _sandbox.Settings().With(AwsKmsFieldNames.RoleArn, role);

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), settings, _sandbox.Secrets());

        var failed = AwsKmsChecks.AssertFailedAt(results, checkId, KeystoreErrorKind.PermissionDenied);
        Assert.Contains($"AWS denied {action}", failed.Detail);
        Assert.Contains($"Grant {action}", failed.Remedy);
        Assert.Contains($"\"Action\": [\"{action}\", ...] with \"Resource\": \"{_sandbox.Emulator.KeyArn}\"", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_BriefThrottling_RetriesWithBackoffAndPasses()
    {
        _sandbox.Emulator.Admin.ThrottleRequestsPerSecond = 3;
        var plugin = _sandbox.Plugin(new AwsKmsOptions { ThrottlingBaseDelay = TimeSpan.FromMilliseconds(100), ThrottlingRetries = 6 });

        var results = await AwsKmsChecks.RunAsync(plugin, _sandbox.Settings(), _sandbox.Secrets());

        AwsKmsChecks.AssertAllPassed(results);
    }

    [Fact]
    public async Task TestConnection_PersistentThrottling_FailsAsThrottledSayingItPersisted()
    {
        _sandbox.Emulator.Admin.ThrottleRequestsPerSecond = 0.001;
        var plugin = _sandbox.Plugin(new AwsKmsOptions { ThrottlingBaseDelay = TimeSpan.FromMilliseconds(20), ThrottlingMaxDelay = TimeSpan.FromMilliseconds(100) });

        var results = await AwsKmsChecks.RunAsync(plugin, _sandbox.Settings(), _sandbox.Secrets());

        // The bucket's single token lets DescribeKey through; Encrypt is throttled from then on.
        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.EncryptDecrypt, KeystoreErrorKind.Throttled);
        Assert.Contains("throttled kms:Encrypt", failed.Detail);
        Assert.Contains("persisted through 5 attempts", failed.Detail);
        Assert.Contains("Service Quotas", failed.Remedy);
    }

    [Fact]
    public async Task TestConnection_EmulatorDown_FailsConsoleCredentialsAsUnreachable()
    {
        await _sandbox.Emulator.Faults.SetDownAsync(true);

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), _sandbox.Settings(), _sandbox.Secrets());

        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.ConsoleCredentials, KeystoreErrorKind.Unreachable);
        Assert.Contains("refused", failed.Detail);
    }

    [Fact]
    public async Task TestConnection_SlowEndpoint_FailsConsoleCredentialsAsTimedOut()
    {
        _sandbox.Emulator.Faults.LatencyMs = 30_000;
        var plugin = _sandbox.Plugin(new AwsKmsOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });

        var results = await AwsKmsChecks.RunAsync(plugin, _sandbox.Settings(), _sandbox.Secrets());

        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.ConsoleCredentials, KeystoreErrorKind.TimedOut);
        Assert.Contains("300 ms", failed.Detail);
    }

    [Fact]
    public async Task TestConnection_InjectedServerErrors_FailConsoleCredentialsAsUnavailable()
    {
        _sandbox.Emulator.Faults.ErrorRate = 1;

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), _sandbox.Settings(), _sandbox.Secrets());

        AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.ConsoleCredentials, KeystoreErrorKind.Unavailable);
    }

    [Fact]
    public async Task TestConnection_InvalidSettings_FailsTheFirstCheckListingTheFields()
    {
        var settings = _sandbox.Settings().With(AwsKmsFieldNames.Region, "us-east-7");

        var results = await AwsKmsChecks.RunAsync(_sandbox.Plugin(), settings, _sandbox.Secrets());

        var failed = AwsKmsChecks.AssertFailedAt(results, AwsKmsCheckIds.ConsoleCredentials, KeystoreErrorKind.InvalidConfiguration);
        Assert.Contains("region", failed.Detail);
    }
}

/// <summary>
/// AWS tests run one at a time: the default-chain tests set process-wide AWS_* environment variables, which every
/// AWS SDK client of the process reads.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AwsKmsCollection
{
    public const string Name = "AWS KMS";
}
