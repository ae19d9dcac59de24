using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.AwsKms;

/// <summary>What one AWS error code means for an administrator.</summary>
/// <param name="Kind">The typed failure.</param>
/// <param name="Cause">The plain cause; <c>{what}</c> is replaced by the call (e.g. "kms:Encrypt on arn:...").</param>
internal sealed record AwsErrorRule(KeystoreErrorKind Kind, string Cause);

/// <summary>
/// Maps AWS error answers (KMS JSON <c>__type</c>, STS XML <c>Code</c>) and transport failures to typed
/// <see cref="KeystoreException"/>s with a plain cause. AWS's own message text is used only for AccessDenied (it names
/// the principal and the action) and always after <see cref="Redact"/>; credentials never appear.
/// </summary>
internal static partial class AwsErrors
{
    private const int MaxAwsMessageLength = 400;

    /// <summary>Every AWS error code the plugin can meet from STS and KMS, with its cause.</summary>
    public static readonly FrozenDictionary<string, AwsErrorRule> Rules = new Dictionary<string, AwsErrorRule>(StringComparer.Ordinal)
    {
        // Authentication (both services; STS spells some codes without the Exception suffix).
        ["UnrecognizedClientException"] = new(KeystoreErrorKind.AuthenticationFailed,
            "AWS does not recognize the access key that signed {what}: the key ID is wrong, deleted or deactivated, or belongs to another partition."),
        ["InvalidClientTokenId"] = new(KeystoreErrorKind.AuthenticationFailed,
            "AWS does not recognize the access key that signed {what}: the key ID is wrong, deleted or deactivated, or belongs to another partition."),
        ["InvalidSignatureException"] = new(KeystoreErrorKind.AuthenticationFailed,
            "AWS rejected the signature of {what}: the secret access key does not belong to the access key ID, or the console host's clock is off by more than 5 minutes."),
        ["SignatureDoesNotMatch"] = new(KeystoreErrorKind.AuthenticationFailed,
            "AWS rejected the signature of {what}: the secret access key does not belong to the access key ID, or the console host's clock is off by more than 5 minutes."),
        ["IncompleteSignature"] = new(KeystoreErrorKind.AuthenticationFailed, "AWS rejected {what}: the request's signature is incomplete."),
        ["IncompleteSignatureException"] = new(KeystoreErrorKind.AuthenticationFailed, "AWS rejected {what}: the request's signature is incomplete."),
        ["MissingAuthenticationToken"] = new(KeystoreErrorKind.AuthenticationFailed, "AWS received {what} without credentials."),
        ["MissingAuthenticationTokenException"] = new(KeystoreErrorKind.AuthenticationFailed, "AWS received {what} without credentials."),
        ["ExpiredToken"] = new(KeystoreErrorKind.AuthenticationFailed,
            "The session credentials used for {what} have expired."),
        ["ExpiredTokenException"] = new(KeystoreErrorKind.AuthenticationFailed,
            "The session credentials used for {what} have expired."),
        ["RequestExpired"] = new(KeystoreErrorKind.AuthenticationFailed,
            "AWS refused {what} as expired: the console host's clock is off by more than 5 minutes."),
        ["InvalidAccessKeyId"] = new(KeystoreErrorKind.AuthenticationFailed,
            "AWS does not recognize the access key that signed {what}."),

        // Authorization.
        ["AccessDeniedException"] = new(KeystoreErrorKind.PermissionDenied, "AWS denied {what}."),
        ["AccessDenied"] = new(KeystoreErrorKind.PermissionDenied, "AWS denied {what}."),

        // The key.
        ["NotFoundException"] = new(KeystoreErrorKind.KeyNotFound,
            "KMS has no key {key} in {region} for this account: the key id, alias or region is wrong, or the key was deleted."),
        ["DisabledException"] = new(KeystoreErrorKind.KeyDisabled, "The KMS key {key} is disabled, so KMS refused {what}."),
        ["KMSInvalidStateException"] = new(KeystoreErrorKind.KeyDisabled,
            "The KMS key {key} is not in a state that allows {what} (pending deletion, pending import, or unavailable)."),
        ["InvalidKeyUsageException"] = new(KeystoreErrorKind.InvalidConfiguration,
            "The KMS key {key} cannot be used for {what}: its key usage or key spec does not allow it (an ENCRYPT_DECRYPT, SYMMETRIC_DEFAULT key is required)."),
        ["InvalidCiphertextException"] = new(KeystoreErrorKind.InvalidResponse,
            "KMS could not decrypt: the wrapped value is damaged, or its associated data (encryption context) is not the one it was wrapped with."),
        ["IncorrectKeyException"] = new(KeystoreErrorKind.KeyNotFound,
            "The wrapped value was encrypted under another KMS key than {key} (for example by another keystore, or before an alias was re-pointed)."),
        ["InvalidArnException"] = new(KeystoreErrorKind.InvalidConfiguration, "KMS rejected the key ARN {key} as malformed."),
        ["InvalidAliasNameException"] = new(KeystoreErrorKind.InvalidConfiguration, "KMS rejected the alias {key} as malformed."),
        ["InvalidGrantTokenException"] = new(KeystoreErrorKind.InvalidConfiguration, "KMS rejected a grant token sent with {what}."),
        ["KeyUnavailableException"] = new(KeystoreErrorKind.Unavailable,
            "The KMS key {key} is unavailable right now (its key material or custom key store cannot be reached)."),
        ["UnsupportedOperationException"] = new(KeystoreErrorKind.InvalidConfiguration,
            "KMS does not support {what} for the key {key} (e.g. its key store type does not allow it)."),
        ["CustomKeyStoreInvalidStateException"] = new(KeystoreErrorKind.Unavailable,
            "The custom key store that holds {key} is not connected, so KMS cannot serve {what}."),
        ["XksKeyNotFoundException"] = new(KeystoreErrorKind.Unavailable,
            "The external key store proxy behind {key} does not find the external key."),
        ["XksKeyInvalidConfigurationException"] = new(KeystoreErrorKind.Unavailable,
            "The external key behind {key} is misconfigured in the external key manager."),
        ["XksProxyUriUnreachableException"] = new(KeystoreErrorKind.Unavailable,
            "KMS cannot reach the external key store proxy behind {key}."),
        ["XksProxyInvalidResponseException"] = new(KeystoreErrorKind.Unavailable,
            "The external key store proxy behind {key} answered KMS with an invalid response."),
        ["CloudHsmClusterNotActiveException"] = new(KeystoreErrorKind.Unavailable,
            "The CloudHSM cluster behind {key} is not active."),

        // Capacity and service faults.
        ["ThrottlingException"] = new(KeystoreErrorKind.Throttled,
            "AWS throttled {what}: the account's request quota for this region is exceeded."),
        ["Throttling"] = new(KeystoreErrorKind.Throttled, "AWS throttled {what}: the account's request quota is exceeded."),
        ["TooManyRequestsException"] = new(KeystoreErrorKind.Throttled, "AWS throttled {what}."),
        ["RequestLimitExceeded"] = new(KeystoreErrorKind.Throttled, "AWS throttled {what}."),
        ["LimitExceededException"] = new(KeystoreErrorKind.Throttled,
            "A KMS quota was exceeded for {what}."),
        ["DependencyTimeoutException"] = new(KeystoreErrorKind.Unavailable,
            "KMS timed out internally while serving {what}; it is usually transient."),
        ["KMSInternalException"] = new(KeystoreErrorKind.Unavailable, "KMS failed internally while serving {what}; it is usually transient."),
        ["InternalFailure"] = new(KeystoreErrorKind.Unavailable, "AWS failed internally while serving {what}; it is usually transient."),
        ["InternalServerError"] = new(KeystoreErrorKind.Unavailable, "AWS failed internally while serving {what}; it is usually transient."),
        ["ServiceUnavailable"] = new(KeystoreErrorKind.Unavailable, "AWS is temporarily unavailable for {what}."),
        ["ServiceUnavailableException"] = new(KeystoreErrorKind.Unavailable, "AWS is temporarily unavailable for {what}."),

        // Account and request shape.
        ["RegionDisabledException"] = new(KeystoreErrorKind.InvalidConfiguration,
            "STS is not activated for the account in {region}, so {what} was refused."),
        ["OptInRequired"] = new(KeystoreErrorKind.InvalidConfiguration,
            "The account has not opted in to the region {region}, so {what} was refused."),
        ["InvalidParameterValue"] = new(KeystoreErrorKind.InvalidConfiguration, "AWS rejected a parameter of {what}."),
        ["ValidationError"] = new(KeystoreErrorKind.InvalidConfiguration, "AWS rejected a parameter of {what}."),
        ["ValidationException"] = new(KeystoreErrorKind.InvalidConfiguration, "AWS rejected a parameter of {what}."),
        ["MalformedPolicyDocument"] = new(KeystoreErrorKind.InvalidResponse, "STS rejected a session policy in {what}."),
        ["PackedPolicyTooLarge"] = new(KeystoreErrorKind.InvalidResponse, "STS rejected {what}: the session policies are too large."),
        ["UnknownOperationException"] = new(KeystoreErrorKind.InvalidResponse,
            "The endpoint does not know {what}: is the endpoint a KMS (or STS) endpoint?"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The exception for an AWS error answer.</summary>
    /// <param name="operation">The call that failed.</param>
    /// <param name="configuration">Names the key, region and role in the message.</param>
    /// <param name="code">AWS's error code (<c>__type</c> or <c>Code</c>).</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="awsMessage">AWS's message; used (redacted) only for AccessDenied.</param>
    /// <param name="sensitive">Values that must never appear (secret key, session token).</param>
    /// <param name="principal">The calling principal's ARN when known (for AssumeRole).</param>
    /// <param name="inner">The SDK exception, kept as the inner exception.</param>
    public static KeystoreException FromService(
        AwsOperation operation, AwsKmsConfiguration configuration, string? code, HttpStatusCode status, string? awsMessage,
        IReadOnlyList<string> sensitive, string? principal = null, Exception? inner = null)
    {
        code ??= "";
        var what = operation is AwsOperation.GetCallerIdentity or AwsOperation.AssumeRole
            ? $"{operation.Action()}{(operation == AwsOperation.AssumeRole ? " on " + configuration.Role.Value : "")}"
            : $"{operation.Action()} on {configuration.Key.Value}";
        var vendorCode = code.Length > 0 ? code : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var said = Redact(awsMessage ?? "", sensitive);
        if (said.Length > MaxAwsMessageLength)
        {
            said = said[..MaxAwsMessageLength] + "…";
        }

        if (code is "AccessDenied" or "AccessDeniedException")
        {
            if (operation == AwsOperation.AssumeRole)
            {
                var who = principal ?? DeniedPrincipal(said) ?? "the console's principal";
                return new KeystoreException(KeystoreErrorKind.PermissionDenied,
                    $"The role's trust policy refused sts:AssumeRole for {who}: the external ID does not match, or the trust "
                    + $"policy of {configuration.Role.Value} does not allow this principal.", inner)
                { VendorCode = vendorCode, Permission = operation.Action() };
            }

            return new KeystoreException(KeystoreErrorKind.PermissionDenied,
                $"AWS denied {what}: the role's IAM policy or the key policy does not allow {operation.Action()}."
                + (said.Length > 0 ? $" (AWS said: {said})" : ""), inner)
            { VendorCode = vendorCode, Permission = operation.Action() };
        }

        if (Rules.TryGetValue(code, out var rule))
        {
            var cause = rule.Cause.Replace("{what}", what, StringComparison.Ordinal)
                .Replace("{key}", configuration.Key.Value, StringComparison.Ordinal)
                .Replace("{region}", configuration.Region.Name, StringComparison.Ordinal);
            if (code is "InvalidSignatureException" && said.Contains("expired", StringComparison.OrdinalIgnoreCase))
            {
                cause = $"AWS refused {what} as expired: the console host's clock is off by more than 5 minutes.";
            }

            return new KeystoreException(rule.Kind, cause, inner) { VendorCode = vendorCode, Permission = rule.Kind == KeystoreErrorKind.PermissionDenied ? operation.Action() : null };
        }

        var kind = (int)status >= 500 ? KeystoreErrorKind.Unavailable : KeystoreErrorKind.InvalidResponse;
        var shown = code.Length > 0 ? $"the error {code}" : $"HTTP status {(int)status}";
        return new KeystoreException(kind,
            (int)status >= 500
                ? $"AWS failed to serve {what} ({shown}); it is usually transient."
                : $"AWS answered {what} with {shown}, which OpenKCM does not know.", inner)
        { VendorCode = vendorCode };
    }

    /// <summary>The exception for an SDK exception from a call.</summary>
    public static KeystoreException FromException(
        AwsOperation operation, AwsKmsConfiguration configuration, Exception ex, IReadOnlyList<string> sensitive, string? principal = null)
    {
        if (ex is AmazonServiceException service && (service.ErrorCode is { Length: > 0 } || service.StatusCode != 0)
            && FindTransport(ex) is null)
        {
            return FromService(operation, configuration, service.ErrorCode, service.StatusCode, service.Message, sensitive, principal, ex);
        }

        return FromTransport(operation, configuration, ex);
    }

    /// <summary>The exception for a call that got no AWS answer.</summary>
    public static KeystoreException FromTransport(AwsOperation operation, AwsKmsConfiguration configuration, Exception ex)
    {
        var where = Where(operation, configuration);
        var action = operation.Action();
        var transport = FindTransport(ex);
        if (transport is HttpRequestException http)
        {
            switch (http.HttpRequestError)
            {
                case HttpRequestError.NameResolutionError:
                    return new(KeystoreErrorKind.Unreachable, $"The host name of {where} could not be resolved (DNS) for {action}.", ex);
                case HttpRequestError.ConnectionError when FindSocketError(ex) == SocketError.ConnectionRefused:
                    return new(KeystoreErrorKind.Unreachable,
                        $"Connection to {where} was refused for {action}: nothing listens on that port.", ex);
                case HttpRequestError.ConnectionError:
                    return new(KeystoreErrorKind.Unreachable,
                        $"Could not connect to {where} for {action}: {FindSocketError(ex)?.ToString() ?? "the connection failed"}.", ex);
                case HttpRequestError.SecureConnectionError:
                    return new(KeystoreErrorKind.InvalidConfiguration,
                        $"The TLS handshake with {where} failed{TlsReason(ex)}: the endpoint's certificate is not trusted or does not name the host.", ex);
                case HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse:
                    return new(KeystoreErrorKind.InvalidResponse,
                        $"{where} closed the connection or answered something that is not HTTP during {action}.", ex);
                default:
                    break;
            }
        }

        if (transport is TimeoutException or TaskCanceledException)
        {
            return new(KeystoreErrorKind.TimedOut, $"{where} did not answer {action} in time.", ex);
        }

        if (ex is AmazonClientException client && client.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase))
        {
            return new(KeystoreErrorKind.InvalidConfiguration,
                $"No AWS credentials were found on the console host for {action} (environment variables, shared profile, "
                + "container or instance role).", ex);
        }

        return new(KeystoreErrorKind.Unreachable, $"{action} at {where} failed: the connection was lost ({ex.GetType().Name}).", ex);
    }

    public static KeystoreException TimedOut(AwsOperation operation, AwsKmsConfiguration configuration, TimeSpan timeout, Exception ex) =>
        new(KeystoreErrorKind.TimedOut, $"{Where(operation, configuration)} did not answer {operation.Action()} within {Format(timeout)}.", ex);

    /// <summary>The endpoint a call goes to, for messages.</summary>
    public static string Where(AwsOperation operation, AwsKmsConfiguration configuration)
    {
        var sts = operation is AwsOperation.GetCallerIdentity or AwsOperation.AssumeRole;
        var endpoint = sts ? configuration.StsEndpoint : configuration.Endpoint;
        return endpoint is not null
            ? $"{(sts ? "STS" : "KMS")} at {endpoint.GetLeftPart(UriPartial.Authority)}"
            : $"{(sts ? "STS" : "KMS")} in {configuration.Region.Name}";
    }

    public static string Redact(string text, IReadOnlyList<string> sensitive)
    {
        foreach (var s in sensitive)
        {
            if (!string.IsNullOrEmpty(s))
            {
                text = text.Replace(s, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }

    public static string Format(TimeSpan value) => value switch
    {
        { TotalMilliseconds: < 1000 } => $"{value.TotalMilliseconds:0} ms",
        { TotalSeconds: < 120 } => $"{value.TotalSeconds:0.#} s",
        { TotalMinutes: < 120 } => $"{value.TotalMinutes:0.#} min",
        _ => $"{value.TotalHours:0.#} h",
    };

    /// <summary>The principal named in an AWS AccessDenied message ("User: arn:... is not authorized ...").</summary>
    public static string? DeniedPrincipal(string awsMessage) =>
        DeniedPrincipalRegex().Match(awsMessage) is { Success: true } m ? m.Groups[1].Value : null;

    private static Exception? FindTransport(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is HttpRequestException or TimeoutException or TaskCanceledException or SocketException)
            {
                return ex;
            }
        }

        return null;
    }

    private static SocketError? FindSocketError(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException s)
            {
                return s.SocketErrorCode;
            }
        }

        return null;
    }

    private static string TlsReason(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is AuthenticationException a)
            {
                return $" ({a.Message.TrimEnd('.')})";
            }
        }

        return "";
    }

    [GeneratedRegex(@"User: (arn:[^\s]+) is not authorized", RegexOptions.CultureInvariant)]
    private static partial Regex DeniedPrincipalRegex();
}
