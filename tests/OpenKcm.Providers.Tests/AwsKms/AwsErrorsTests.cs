using System.Net;
using Amazon.Runtime;
using OpenKcm.Core.Plugins;
using OpenKcm.Providers.AwsKms;

namespace OpenKcm.Providers.Tests.AwsKms;

public sealed class AwsErrorsTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private static readonly AwsKmsConfiguration s_configuration = AwsKmsConfiguration.Parse(AwsKmsTestSettings.Seed());

    public static TheoryData<string> Codes => [.. AwsErrors.Rules.Keys.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Codes))]
    public void FromService_EveryKnownCode_MapsToItsKindWithAPlainCauseAndNoAwsText(string code)
    {
        var rule = AwsErrors.Rules[code];
        var awsMessage = $"raw aws text {Secret}";

        var ex = AwsErrors.FromService(AwsOperation.Encrypt, s_configuration, code, HttpStatusCode.BadRequest, awsMessage, [Secret]);

        Assert.Equal(rule.Kind, ex.Kind);
        Assert.Equal(code, ex.VendorCode);
        Assert.DoesNotContain("{", ex.Message);
        Assert.DoesNotContain(Secret, ex.Message);
        Assert.DoesNotContain(code, ex.Message);
        Assert.True(ex.Message.Length > 20, ex.Message);
    }

    [Theory]
    [InlineData("ThrottlingException", true)]
    [InlineData("KMSInternalException", true)]
    [InlineData("DependencyTimeoutException", true)]
    [InlineData("AccessDeniedException", false)]
    [InlineData("DisabledException", false)]
    [InlineData("NotFoundException", false)]
    public void FromService_Retryability_FollowsTheKind(string code, bool retryable) =>
        Assert.Equal(retryable, AwsErrors.FromService(AwsOperation.Decrypt, s_configuration, code, HttpStatusCode.BadRequest, null, []).IsRetryable);

    [Fact]
    public void FromService_AccessDeniedOnAKeyAction_NamesTheActionAndRedactsAwsText()
    {
        var ex = AwsErrors.FromService(AwsOperation.GenerateDataKey, s_configuration, "AccessDeniedException", HttpStatusCode.BadRequest,
            $"User: arn:aws:sts::123456789012:assumed-role/OpenKCM/s is not authorized to perform: kms:GenerateDataKey {Secret}", [Secret]);

        Assert.Equal(KeystoreErrorKind.PermissionDenied, ex.Kind);
        Assert.Equal("kms:GenerateDataKey", ex.Permission);
        Assert.Contains("AWS denied kms:GenerateDataKey on " + AwsKmsTestSettings.KeyArn, ex.Message);
        Assert.DoesNotContain(Secret, ex.Message);
    }

    [Fact]
    public void FromService_AccessDeniedOnAssumeRole_SaysTheTrustPolicyRefusedThePrincipal()
    {
        var ex = AwsErrors.FromService(AwsOperation.AssumeRole, s_configuration, "AccessDenied", HttpStatusCode.Forbidden,
            "User: arn:aws:iam::123456789012:user/openkcm-console is not authorized to perform: sts:AssumeRole on resource: x", []);

        Assert.Equal(
            "The role's trust policy refused sts:AssumeRole for arn:aws:iam::123456789012:user/openkcm-console: the external ID does "
            + $"not match, or the trust policy of {AwsKmsTestSettings.RoleArn} does not allow this principal.", ex.Message);
        Assert.Equal("sts:AssumeRole", ex.Permission);
    }

    [Fact]
    public void FromService_SignatureExpired_BlamesTheClock()
    {
        var ex = AwsErrors.FromService(AwsOperation.Encrypt, s_configuration, "InvalidSignatureException", HttpStatusCode.BadRequest,
            "Signature expired: 20260101T000000Z is now earlier than 20260101T001000Z", []);

        Assert.Contains("clock is off", ex.Message);
        Assert.Equal(KeystoreErrorKind.AuthenticationFailed, ex.Kind);
    }

    [Theory]
    [InlineData("SomethingNewException", HttpStatusCode.BadRequest, KeystoreErrorKind.InvalidResponse)]
    [InlineData("SomethingNewException", HttpStatusCode.ServiceUnavailable, KeystoreErrorKind.Unavailable)]
    [InlineData(null, HttpStatusCode.BadGateway, KeystoreErrorKind.Unavailable)]
    public void FromService_UnknownCode_FallsBackByStatus(string? code, HttpStatusCode status, KeystoreErrorKind kind) =>
        Assert.Equal(kind, AwsErrors.FromService(AwsOperation.DescribeKey, s_configuration, code, status, "x", []).Kind);

    [Fact]
    public void FromException_SdkServiceException_UsesItsErrorCode()
    {
        var sdk = new AmazonServiceException("denied", ErrorType.Sender, "DisabledException", "req-1", HttpStatusCode.BadRequest);

        var ex = AwsErrors.FromException(AwsOperation.Encrypt, s_configuration, sdk, []);

        Assert.Equal(KeystoreErrorKind.KeyDisabled, ex.Kind);
        Assert.Same(sdk, ex.InnerException);
    }

    [Fact]
    public void FromException_ConnectionRefused_IsUnreachable()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "refused",
            new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));

        var ex = AwsErrors.FromException(AwsOperation.GetCallerIdentity, s_configuration, refused, []);

        Assert.Equal(KeystoreErrorKind.Unreachable, ex.Kind);
        Assert.Contains("STS in us-east-1", ex.Message);
    }
}
