using System.Net;
using System.Text.Json.Nodes;
using OpenKcm.Sandbox.AwsKms;
using OpenKcm.Sandbox.Tests.AwsKms.Support;

namespace OpenKcm.Sandbox.Tests.AwsKms;

/// <summary>STS AssumeRole (trust, external ID, parameter validation, durations) and GetCallerIdentity over real HTTP.</summary>
public sealed class StsTests : AwsKmsTest
{
    [Fact]
    public async Task AssumeRole_RightExternalId_ReturnsSessionCredentialsAndAssumedRoleUser()
    {
        var reply = await Api.AssumeRoleAsync(Console, Aws.RoleArn, Aws.ExternalId, "openkcm-console-tenant1");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("AssumeRoleResponse", reply.Xml.Name.LocalName);
        Assert.Equal("https://sts.amazonaws.com/doc/2011-06-15/", reply.Xml.Name.NamespaceName);
        Assert.Matches("^ASIA[A-Z2-7]{16}$", reply.StsValue("AccessKeyId"));
        Assert.Equal(40, reply.StsValue("SecretAccessKey").Length);
        Assert.False(string.IsNullOrEmpty(reply.StsValue("SessionToken")));
        Assert.Equal("2026-09-01T09:00:00Z", reply.StsValue("Expiration"));
        Assert.Equal($"arn:aws:sts::111122223333:assumed-role/OpenKcmKeystoreAccess/openkcm-console-tenant1", reply.StsValue("Arn"));
        Assert.Matches("^AROA[A-Z2-7]{16}:openkcm-console-tenant1$", reply.StsValue("AssumedRoleId"));
        Assert.Equal(reply.RequestId, reply.StsValue("RequestId"));
    }

    [Theory]
    [InlineData("not-the-external-id")]
    [InlineData(null)]
    public async Task AssumeRole_WrongOrMissingExternalId_IsAccessDenied(string? externalId)
    {
        var reply = await Api.AssumeRoleAsync(Console, Aws.RoleArn, externalId);

        AssertStsError(reply, HttpStatusCode.Forbidden, "AccessDenied",
            $"User: arn:aws:iam::111122223333:user/openkcm-console is not authorized to perform: sts:AssumeRole on resource: {Aws.RoleArn}");
    }

    [Fact]
    public async Task AssumeRole_CallerNotTrusted_IsAccessDenied()
    {
        var other = AwsCredentials.From(Aws.Admin.CreateUser("someone-else", ["sts:AssumeRole"]));

        var reply = await Api.AssumeRoleAsync(other, Aws.RoleArn, Aws.ExternalId);

        AssertStsError(reply, HttpStatusCode.Forbidden, "AccessDenied",
            $"User: arn:aws:iam::111122223333:user/someone-else is not authorized to perform: sts:AssumeRole on resource: {Aws.RoleArn}");
    }

    [Fact]
    public async Task AssumeRole_RoleDoesNotExist_IsAccessDenied()
    {
        var reply = await Api.AssumeRoleAsync(Console, "arn:aws:iam::111122223333:role/NoSuchRole", Aws.ExternalId);

        AssertStsError(reply, HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Fact]
    public async Task AssumeRole_RoleWithoutExternalIdRequirement_AcceptsAnyOrNone()
    {
        var roleArn = Aws.Admin.CreateRole("NoExternalId", Aws.ConsoleUserArn, null, ["kms:DescribeKey"]);

        Assert.Equal(HttpStatusCode.OK, (await Api.AssumeRoleAsync(Console, roleArn, null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.AssumeRoleAsync(Console, roleArn, "anything")).Status);
    }

    [Fact]
    public async Task AssumeRole_AccountRootTrust_NeedsTheCallersAssumeRolePermission()
    {
        var roleArn = Aws.Admin.CreateRole("AccountTrust", "arn:aws:iam::111122223333:root", null, ["kms:DescribeKey"]);
        var allowed = AwsCredentials.From(Aws.Admin.CreateUser("allowed", ["sts:AssumeRole"]));
        var notAllowed = AwsCredentials.From(Aws.Admin.CreateUser("not-allowed", ["kms:DescribeKey"]));

        Assert.Equal(HttpStatusCode.OK, (await Api.AssumeRoleAsync(allowed, roleArn, null)).Status);
        AssertStsError(await Api.AssumeRoleAsync(notAllowed, roleArn, null), HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Theory]
    [InlineData("x", null, null, "Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2")]
    [InlineData("has space", null, null, "Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern")]
    [InlineData("ok-session", "a", null, "Value 'a' at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2")]
    [InlineData("ok-session", "bad id!", null, "Value 'bad id!' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern")]
    [InlineData("ok-session", null, 899, "Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900")]
    [InlineData("ok-session", null, 43201, "Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200")]
    public async Task AssumeRole_InvalidParameter_IsValidationError(string sessionName, string? externalId, int? duration, string expected)
    {
        var reply = await Api.AssumeRoleAsync(Console, Aws.RoleArn, externalId, sessionName, duration);

        AssertStsError(reply, HttpStatusCode.BadRequest, "ValidationError");
        Assert.StartsWith("1 validation error detected: ", reply.StsMessage, StringComparison.Ordinal);
        Assert.Contains(expected, reply.StsMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssumeRole_ExternalIdOfMaximumLength_IsAccepted()
    {
        var longId = new string('a', 1224);
        var roleArn = Aws.Admin.CreateRole("LongExternalId", Aws.ConsoleUserArn, longId, []);

        Assert.Equal(HttpStatusCode.OK, (await Api.AssumeRoleAsync(Console, roleArn, longId)).Status);
        AssertStsError(await Api.AssumeRoleAsync(Console, roleArn, longId + "a"), HttpStatusCode.BadRequest, "ValidationError");
    }

    [Fact]
    public async Task AssumeRole_DurationAboveTheRolesMaximum_IsValidationErrorUntilRaised()
    {
        var tooLong = await Api.AssumeRoleAsync(Console, Aws.RoleArn, Aws.ExternalId, durationSeconds: 7200);
        Aws.Admin.SetRoleMaxSessionDuration(Aws.RoleArn, TimeSpan.FromHours(2));
        var allowed = await Api.AssumeRoleAsync(Console, Aws.RoleArn, Aws.ExternalId, durationSeconds: 7200);

        AssertStsError(tooLong, HttpStatusCode.BadRequest, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        Assert.Equal("2026-09-01T10:00:00Z", allowed.StsValue("Expiration"));
    }

    [Fact]
    public async Task AssumeRole_MalformedRoleArn_IsValidationError()
    {
        var reply = await Api.AssumeRoleAsync(Console, "arn:aws:s3:::not-a-role-at-all", Aws.ExternalId);

        AssertStsError(reply, HttpStatusCode.BadRequest, "ValidationError", "arn:aws:s3:::not-a-role-at-all is invalid");
    }

    [Fact]
    public async Task GetCallerIdentity_User_NamesTheUser()
    {
        var reply = await Api.CallerIdentityAsync(Console);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("arn:aws:iam::111122223333:user/openkcm-console", reply.StsValue("Arn"));
        Assert.Equal("111122223333", reply.StsValue("Account"));
        Assert.Matches("^AIDA[A-Z2-7]{16}$", reply.StsValue("UserId"));
    }

    [Fact]
    public async Task GetCallerIdentity_AssumedRole_NamesTheSession()
    {
        var session = await AssumeSeedRoleAsync();

        var reply = await Api.CallerIdentityAsync(session);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("arn:aws:sts::111122223333:assumed-role/OpenKcmKeystoreAccess/openkcm-test", reply.StsValue("Arn"));
        Assert.EndsWith(":openkcm-test", reply.StsValue("UserId"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionCredentials_AfterExpiration_AreExpiredTokenInKmsAndSts()
    {
        var session = await AssumeSeedRoleAsync();
        var describe = new JsonObject { ["KeyId"] = Aws.KeyArn };
        Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, (await Api.KmsAsync("DescribeKey", describe, session)).Status);

        Clock.Advance(TimeSpan.FromMinutes(1));

        AssertKmsError(await Api.KmsAsync("DescribeKey", describe, session), HttpStatusCode.BadRequest, "ExpiredTokenException",
            "The security token included in the request is expired");
        AssertStsError(await Api.CallerIdentityAsync(session), HttpStatusCode.Forbidden, "ExpiredToken",
            "The security token included in the request is expired");
        var renewed = await AssumeSeedRoleAsync();
        Assert.Equal(HttpStatusCode.OK, (await Api.KmsAsync("DescribeKey", describe, renewed)).Status);
    }

    [Fact]
    public async Task SignatureClock_System_ChecksSkewOnTheRealClockWhileSessionsExpireOnTheManualOne()
    {
        var manual = new ManualTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromDays(30));
        await using var aws = await OpenKcm.Sandbox.AwsKms.AwsKmsEmulator.StartAsync(
            new() { TimeProvider = manual, SignatureClock = TimeProvider.System }, CancellationToken.None);
        using var realTimeSigner = new AwsApi(aws.BaseAddress, aws.Region, TimeProvider.System);
        using var manualSigner = new AwsApi(aws.BaseAddress, aws.Region, manual);
        var assumed = await realTimeSigner.AssumeRoleAsync(AwsCredentials.From(aws.ConsoleAccessKey), aws.RoleArn, aws.ExternalId);
        var session = new AwsCredentials(assumed.StsValue("AccessKeyId"), assumed.StsValue("SecretAccessKey"), assumed.StsValue("SessionToken"));
        var describe = new JsonObject { ["KeyId"] = aws.KeyArn };

        Assert.Equal(HttpStatusCode.OK, (await realTimeSigner.KmsAsync("DescribeKey", describe, session)).Status);
        AssertKmsError(await manualSigner.KmsAsync("DescribeKey", describe, session), HttpStatusCode.BadRequest, "InvalidSignatureException");
        manual.Advance(TimeSpan.FromHours(1));
        AssertKmsError(await realTimeSigner.KmsAsync("DescribeKey", describe, session), HttpStatusCode.BadRequest, "ExpiredTokenException");
    }

    [Fact]
    public async Task RoleChaining_BeyondOneHour_IsValidationError()
    {
        var session = await AssumeSeedRoleAsync();
        var sessionArn = "arn:aws:sts::111122223333:assumed-role/OpenKcmKeystoreAccess/openkcm-test";
        var chained = Aws.Admin.CreateRole("Chained", sessionArn, null, []);
        Aws.Admin.SetRoleMaxSessionDuration(chained, TimeSpan.FromHours(4));

        Assert.Equal(HttpStatusCode.OK, (await Api.AssumeRoleAsync(session, chained, null, durationSeconds: 3600)).Status);
        AssertStsError(await Api.AssumeRoleAsync(session, chained, null, durationSeconds: 3601), HttpStatusCode.BadRequest, "ValidationError",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
    }

    [Fact]
    public async Task UnknownAction_IsInvalidAction()
    {
        var reply = await Api.StsAsync(new Dictionary<string, string> { ["Action"] = "GetSessionToken", ["Version"] = "2011-06-15" }, Console);

        AssertStsError(reply, HttpStatusCode.BadRequest, "InvalidAction", "Could not find operation GetSessionToken for version 2011-06-15");
    }

    [Fact]
    public void SeededRole_AllowsExactlyTheLeastPrivilegeActions()
    {
        Assert.Equal(["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], AwsKmsEmulator.LeastPrivilegeActions);
        Assert.Equal("arn:aws:iam::111122223333:role/OpenKcmKeystoreAccess", Aws.RoleArn);
        Assert.Matches("^[\\w+=,.@:/-]{2,1224}$", Aws.ExternalId);
    }
}
