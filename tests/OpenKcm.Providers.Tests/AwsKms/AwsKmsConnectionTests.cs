using System.Security.Cryptography;
using System.Text.Json;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.AwsKms;
using OpenKcm.Providers.Tests.Support;
using OpenKcm.Sandbox.AwsKms;

namespace OpenKcm.Providers.Tests.AwsKms;

/// <summary>The pooled connection against the emulator over real HTTP: key operations, probe, description, sessions.</summary>
[Collection(AwsKmsCollection.Name)]
public sealed class AwsKmsConnectionTests
{
    private static readonly KeystoreContext s_context = new(Guid.NewGuid(), "primary_aws_kms", Guid.NewGuid(), "acme");

    [Fact]
    public async Task WrapUnwrap_SameAssociatedData_RoundTripsAndBindsTheAssociatedData()
    {
        await using var sandbox = await AwsKmsSandbox.StartAsync();
        await using var connection = await sandbox.Plugin().ConnectAsync(sandbox.Settings(s_context), sandbox.Secrets(), CancellationToken.None);
        var l2 = RandomNumberGenerator.GetBytes(32);
        var owner = "tenant:acme/key:42"u8.ToArray();

        var wrapped = await connection.WrapAsync(l2, owner, CancellationToken.None);
        var back = await connection.UnwrapAsync(wrapped, owner, CancellationToken.None);
        var other = await Assert.ThrowsAsync<KeystoreException>(() => connection.UnwrapAsync(wrapped, "tenant:other/key:42"u8.ToArray(), CancellationToken.None));

        Assert.Equal(l2, back);
        Assert.DoesNotContain(Convert.ToBase64String(l2), Convert.ToBase64String(wrapped));
        Assert.Equal(KeystoreErrorKind.InvalidResponse, other.Kind);
        Assert.Contains("encryption context", other.Message);
    }

    [Fact]
    public async Task Unwrap_ValueOfAnotherKey_FailsAsKeyNotFound()
    {
        await using var sandbox = await AwsKmsSandbox.StartAsync();
        var otherKey = sandbox.Emulator.Admin.CreateKey();
        var plugin = sandbox.Plugin();
        await using var first = await plugin.ConnectAsync(sandbox.Settings(), sandbox.Secrets(), CancellationToken.None);
        await using var second = await plugin.ConnectAsync(sandbox.Settings().With(AwsKmsFieldNames.KmsKeyId, otherKey), sandbox.Secrets(), CancellationToken.None);
        var wrapped = await first.WrapAsync(new byte[32], new byte[] { 1 }, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<KeystoreException>(() => second.UnwrapAsync(wrapped, new byte[] { 1 }, CancellationToken.None));

        Assert.Equal(KeystoreErrorKind.KeyNotFound, ex.Kind);
    }

    [Fact]
    public async Task Probe_HealthyKey_CompletesAndDisabledKeyFailsAsKeyDisabled()
    {
        await using var sandbox = await AwsKmsSandbox.StartAsync();
        await using var connection = await sandbox.Plugin().ConnectAsync(sandbox.Settings(), sandbox.Secrets(), CancellationToken.None);

        await connection.ProbeAsync(CancellationToken.None);
        sandbox.Emulator.Admin.SetKeyState(sandbox.Emulator.KeyArn, "Disabled");
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => connection.ProbeAsync(CancellationToken.None));

        Assert.Equal(KeystoreErrorKind.KeyDisabled, ex.Kind);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task Probe_EmulatorDown_FailsAsUnreachableAndRecoversWhenItIsBack()
    {
        await using var sandbox = await AwsKmsSandbox.StartAsync();
        await using var connection = await sandbox.Plugin().ConnectAsync(sandbox.Settings(), sandbox.Secrets(), CancellationToken.None);

        await sandbox.Emulator.Faults.SetDownAsync(true);
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => connection.ProbeAsync(CancellationToken.None));
        await sandbox.Emulator.Faults.SetDownAsync(false);

        Assert.Equal(KeystoreErrorKind.Unreachable, ex.Kind);
        Assert.True(ex.IsRetryable);
        await connection.ProbeAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Probe_LatencyBeyondTheRequestTimeout_FailsAsTimedOut()
    {
        await using var sandbox = await AwsKmsSandbox.StartAsync();
        await using var connection = await sandbox.Plugin(new AwsKmsOptions { RequestTimeout = TimeSpan.FromMilliseconds(400) })
            .ConnectAsync(sandbox.Settings(), sandbox.Secrets(), CancellationToken.None);

        sandbox.Emulator.Faults.LatencyMs = 30_000;
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => connection.ProbeAsync(CancellationToken.None));

        Assert.Equal(KeystoreErrorKind.TimedOut, ex.Kind);
        Assert.Contains("400 ms", ex.Message);
    }

    [Fact]
    public async Task Describe_ActiveKeystore_HasTheSeedShapeAndUsefulFacts()
    {
        await using var sandbox = await AwsKmsSandbox.StartAsync();
        await using var connection = await sandbox.Plugin().ConnectAsync(sandbox.Settings(s_context), sandbox.Secrets(), CancellationToken.None);

        var described = await connection.DescribeAsync(CancellationToken.None);

        Assert.Equal("connection_successful", described["status"]!.GetValue<string>());
        Assert.Equal("active", described["plugin_status"]!.GetValue<string>());
        Assert.Equal(sandbox.Emulator.KeyArn, described["l1_key_location"]!.GetValue<string>());
        Assert.True(described["key_operations_ready"]!.GetValue<bool>());
        Assert.Equal("Enabled", described["key_state"]!.GetValue<string>());
        Assert.Equal("us-east-1", described["region"]!.GetValue<string>());
        Assert.EndsWith($"assumed-role/{AwsKmsEmulator.RoleName}/openkcm-acme-primary_aws_kms", described["assumed_role_arn"]!.GetValue<string>());
        Assert.True(DateTimeOffset.TryParse(described["session_expires_at"]!.GetValue<string>(), out _));
        Assert.DoesNotContain(sandbox.Emulator.ConsoleAccessKey.SecretAccessKey, described.ToJsonString());
    }

    [Fact]
    public async Task Connect_WrongExternalId_ThrowsPermissionDeniedNamingTheTrustPolicy()
    {
        await using var sandbox = await AwsKmsSandbox.StartAsync();

        var ex = await Assert.ThrowsAsync<KeystoreException>(() => sandbox.Plugin().ConnectAsync(
            sandbox.Settings().With(AwsKmsFieldNames.ExternalId, "wrong-external-id"), sandbox.Secrets(), CancellationToken.None));

        Assert.Equal(KeystoreErrorKind.PermissionDenied, ex.Kind);
        Assert.Contains("trust policy refused sts:AssumeRole", ex.Message);
        Assert.DoesNotContain(sandbox.Emulator.ConsoleAccessKey.SecretAccessKey, ex.ToString());
    }

    [Fact]
    public async Task Operations_AfterTheSessionExpires_RenewTheSessionOnTheSharedClock()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await AwsKmsSandbox.StartAsync(time);
        await using var connection = (AwsKmsConnection)await sandbox.Plugin().ConnectAsync(sandbox.Settings(), sandbox.Secrets(), CancellationToken.None);
        var first = connection.Sessions.Current!;
        var wrapped = await connection.WrapAsync(new byte[32], new byte[] { 7 }, CancellationToken.None);

        // Past the session's expiry: the emulator would answer ExpiredTokenException to the old session.
        time.Advance(first.Expiration - time.GetUtcNow() + TimeSpan.FromMinutes(1));
        var back = await connection.UnwrapAsync(wrapped, new byte[] { 7 }, CancellationToken.None);

        Assert.Equal(new byte[32], back);
        Assert.Equal(2, connection.Sessions.AssumeRoleCount);
        Assert.NotEqual(first.AccessKeyId, connection.Sessions.Current!.AccessKeyId);
    }

    [Fact]
    public async Task Operations_AwsSaysTheSessionExpiredBeforeOurClockDoes_AssumeTheRoleAgainAndSucceed()
    {
        var awsTime = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await AwsKmsSandbox.StartAsync(awsTime);
        await using var connection = (AwsKmsConnection)await sandbox.Plugin(time: new ManualTimeProvider(DateTimeOffset.UtcNow))
            .ConnectAsync(sandbox.Settings(), sandbox.Secrets(), CancellationToken.None);

        awsTime.Advance(TimeSpan.FromHours(2));
        await connection.ProbeAsync(CancellationToken.None);

        Assert.Equal(2, connection.Sessions.AssumeRoleCount);
    }

    [Fact]
    public async Task Operations_At80PercentOfTheSession_RenewBeforeExpiry()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await AwsKmsSandbox.StartAsync(time);
        await using var connection = (AwsKmsConnection)await sandbox.Plugin().ConnectAsync(sandbox.Settings(), sandbox.Secrets(), CancellationToken.None);
        var first = connection.Sessions.Current!;

        time.Advance(TimeSpan.FromMinutes(47));
        await connection.ProbeAsync(CancellationToken.None);
        Assert.Equal(1, connection.Sessions.AssumeRoleCount);

        time.Advance(TimeSpan.FromMinutes(2));
        await connection.ProbeAsync(CancellationToken.None);
        Assert.Equal(2, connection.Sessions.AssumeRoleCount);
        Assert.True(connection.Sessions.Current!.Expiration > first.Expiration);
    }

    [Fact]
    public async Task Operations_SessionExpiredAndStsFailing_ThrowWithTheRefreshCause()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await AwsKmsSandbox.StartAsync(time);
        await using var connection = (AwsKmsConnection)await sandbox.Plugin().ConnectAsync(sandbox.Settings(), sandbox.Secrets(), CancellationToken.None);

        time.Advance(TimeSpan.FromHours(2));
        sandbox.Emulator.Faults.ErrorRate = 1;
        var ex = await Assert.ThrowsAsync<KeystoreException>(() => connection.ProbeAsync(CancellationToken.None));

        Assert.Equal(KeystoreErrorKind.Unavailable, ex.Kind);
        Assert.Contains("expired", ex.Message);
        Assert.Contains("could not be renewed", ex.Message);
        Assert.Contains("sts:AssumeRole", ex.Message);
    }

    [Fact]
    public async Task Operations_ManyConcurrentCallersWhenTheSessionIsDue_ShareOneAssumeRole()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await AwsKmsSandbox.StartAsync(time);
        await using var connection = (AwsKmsConnection)await sandbox.Plugin().ConnectAsync(sandbox.Settings(), sandbox.Secrets(), CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(50));
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => connection.ProbeAsync(CancellationToken.None)));

        Assert.Equal(2, connection.Sessions.AssumeRoleCount);
    }

    [Fact]
    public async Task TestConnectionAndKeyOperations_CallOnlyWhatTheGeneratedPoliciesAllow()
    {
        await using var sandbox = await AwsKmsSandbox.StartAsync();
        var plugin = sandbox.Plugin();
        var settings = sandbox.Settings(s_context);
        AwsKmsChecks.AssertAllPassed(await AwsKmsChecks.RunAsync(plugin, settings, sandbox.Secrets()));
        await using (var connection = await plugin.ConnectAsync(settings, sandbox.Secrets(), CancellationToken.None))
        {
            var wrapped = await connection.WrapAsync(new byte[32], new byte[] { 1 }, CancellationToken.None);
            _ = await connection.UnwrapAsync(wrapped, new byte[] { 1 }, CancellationToken.None);
            await connection.ProbeAsync(CancellationToken.None);
            _ = await connection.DescribeAsync(CancellationToken.None);
        }

        var guidance = plugin.GetPermissionGuidance(settings);
        var identity = Statement(guidance, "Role policy");
        var trust = Statement(guidance, "Role trust policy");
        using var keyPolicy = JsonDocument.Parse(guidance.Blocks.Single(b => b.Title == "Key policy statement").Content);
        var granted = Actions(identity).Append(trust.GetProperty("Action").GetString()!).ToHashSet();

        // GetCallerIdentity needs no permission (AWS allows it to every principal).
        var called = sandbox.Actions.Where(a => a != "sts:GetCallerIdentity").ToHashSet();
        Assert.Equal(granted.Order(), called.Order());
        Assert.Equal(Actions(identity).Order(), Actions(keyPolicy.RootElement).Order());
        Assert.Equal(sandbox.Emulator.KeyArn, identity.GetProperty("Resource").GetString());
    }

    private static JsonElement Statement(PermissionGuidance guidance, string titleStart)
    {
        var document = JsonDocument.Parse(guidance.Blocks.Single(b => b.Title.StartsWith(titleStart, StringComparison.Ordinal)).Content);
        return document.RootElement.GetProperty("Statement").EnumerateArray().Single();
    }

    private static IEnumerable<string> Actions(JsonElement statement) =>
        statement.GetProperty("Action").EnumerateArray().Select(a => a.GetString()!);
}
