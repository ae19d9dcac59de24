using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenKcm.Sandbox.AwsKms.Core;

namespace OpenKcm.Sandbox.AwsKms.Auth;

/// <summary>
/// Verifies a SigV4-signed request the way KMS and STS do and names its principal. Order: header present and well
/// formed → host and every x-amz-* header sent are signed → date and clock skew → credential scope (service, region) →
/// access key known → session token → payload hash → signature. Each failure carries AWS's code for the service (KMS 400 <c>…Exception</c>, STS 403 codes).
/// Messages never quote a secret, a token or the signature. Clock skew is measured on <c>signatureClock</c>; session
/// expiry on the account's clock.
/// </summary>
internal sealed class RequestAuthenticator(AwsAccount account, TimeProvider signatureClock)
{
    private const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>KMS rejects requests signed more than 5 minutes off (observed: "(… - 5 min.)").</summary>
    private static readonly TimeSpan s_kmsSkew = TimeSpan.FromMinutes(5);

    /// <summary>STS tolerates 15 minutes (observed: SignatureDoesNotMatch "(… - 15 min.)").</summary>
    private static readonly TimeSpan s_stsSkew = TimeSpan.FromMinutes(15);

    public AwsPrincipal Authenticate(AwsService service, SignedRequest request)
    {
        var header = request.Header("Authorization");
        if (string.IsNullOrWhiteSpace(header))
        {
            throw service == AwsService.Kms
                ? new AwsException(400, "MissingAuthenticationTokenException", "Missing Authentication Token")
                : new AwsException(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
        }

        var authorization = SigV4Authorization.TryParse(header, out var parseError)
            ?? throw Incomplete(service, parseError);
        if (!authorization.SignedHeaders.Contains("host"))
        {
            throw Incomplete(service, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }

        // Every x-amz-* header sent must be covered by the signature: otherwise a captured request could be replayed with
        // another X-Amz-Target (DescribeKey → ScheduleKeyDeletion) or another session token under the same signature.
        // AWS's answer for a required header left out of SignedHeaders (observed for Host on the JSON services):
        // "'<name>' must be a 'SignedHeader' in the AWS Authorization." as a signature error.
        var unsigned = request.Headers
            .Select(h => h.Key)
            .FirstOrDefault(name => name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase)
                && !authorization.SignedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase));
        if (unsigned is not null)
        {
            throw SignatureError(service, $"'{unsigned}' must be a 'SignedHeader' in the AWS Authorization.");
        }

        var amzDate = request.Header("X-Amz-Date");
        if (amzDate is null)
        {
            throw Incomplete(service, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }

        if (!DateTimeOffset.TryParseExact(amzDate, DateFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
        {
            throw Incomplete(service, $"Date must be in ISO-8601 'basic format'. Got '{amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601");
        }

        CheckSkew(service, signedAt);
        if (authorization.Date != amzDate[..8])
        {
            throw SignatureError(service,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{authorization.Date}' != '{amzDate[..8]}', from '{amzDate}'.");
        }

        var expectedService = service == AwsService.Kms ? "kms" : "sts";
        if (authorization.Service != expectedService)
        {
            throw SignatureError(service, $"Credential should be scoped to correct service: '{expectedService}'. ");
        }

        if (authorization.Region != account.Region && !(service == AwsService.Sts && authorization.Region == "us-east-1"))
        {
            throw SignatureError(service, $"Credential should be scoped to a valid region. ");
        }

        var principal = Identify(service, authorization.AccessKeyId, request.Header("X-Amz-Security-Token"), out var secret);
        var payloadHash = SigV4.PayloadHash(request.Body);
        var declaredHash = request.Header("X-Amz-Content-Sha256");
        if (declaredHash is not null && !string.Equals(declaredHash, payloadHash, StringComparison.OrdinalIgnoreCase))
        {
            throw SignatureError(service, "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        var canonical = SigV4.CanonicalRequest(request.Method, request.RawPath, request.RawQuery, request.Headers,
            authorization.SignedHeaders, payloadHash);
        var stringToSign = SigV4.StringToSign(amzDate, authorization.Scope, canonical);
        var expected = SigV4.Signature(SigV4.SigningKey(secret, authorization.Date, authorization.Region, authorization.Service), stringToSign);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(authorization.Signature)))
        {
            throw SignatureError(service,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
        }

        return principal;
    }

    private AwsPrincipal Identify(AwsService service, string accessKeyId, string? sessionToken, out string secret)
    {
        var (user, session) = account.FindAccessKey(accessKeyId);
        if (user is not null)
        {
            secret = user.Key.SecretAccessKey;
            return new AwsPrincipal(user.Arn, user.UserId, user, null);
        }

        if (session is null || sessionToken is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sessionToken), Encoding.UTF8.GetBytes(session.SessionToken)))
        {
            throw service == AwsService.Kms
                ? new AwsException(400, "UnrecognizedClientException", "The security token included in the request is invalid.")
                : new AwsException(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        }

        if (account.Time.GetUtcNow() >= session.Expiration)
        {
            throw service == AwsService.Kms
                ? new AwsException(400, "ExpiredTokenException", "The security token included in the request is expired")
                : new AwsException(403, "ExpiredToken", "The security token included in the request is expired");
        }

        secret = session.Key.SecretAccessKey;
        return new AwsPrincipal(session.Arn(account.AccountId), session.UserId, null, session);
    }

    private void CheckSkew(AwsService service, DateTimeOffset signedAt)
    {
        var window = service == AwsService.Kms ? s_kmsSkew : s_stsSkew;
        var minutes = (int)window.TotalMinutes;
        var now = signatureClock.GetUtcNow();
        string Format(DateTimeOffset t) => t.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);
        if (signedAt < now - window)
        {
            throw SignatureError(service,
                $"Signature expired: {Format(signedAt)} is now earlier than {Format(now - window)} ({Format(now)} - {minutes} min.)");
        }

        if (signedAt > now + window)
        {
            throw SignatureError(service,
                $"Signature not yet current: {Format(signedAt)} is still later than {Format(now + window)} ({Format(now)} + {minutes} min.)");
        }
    }

    private static AwsException Incomplete(AwsService service, string message) => service == AwsService.Kms
        ? new AwsException(400, "IncompleteSignatureException", message)
        : new AwsException(400, "IncompleteSignature", message);

    private static AwsException SignatureError(AwsService service, string message) => service == AwsService.Kms
        ? new AwsException(400, "InvalidSignatureException", message)
        : new AwsException(403, "SignatureDoesNotMatch", message);
}
