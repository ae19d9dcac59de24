using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Providers.AwsKms;

/// <summary>The caller identity STS reports for the console's credentials.</summary>
internal sealed record AwsCallerIdentity(string Arn, string Account, string UserId);

/// <summary>
/// The two STS calls the plugin makes with the console's own credentials: GetCallerIdentity (needs no permission)
/// and AssumeRole with the external ID. Each call resolves the console credentials afresh and uses a short-lived STS
/// client over the pooled handler. Thread-safe.
/// </summary>
internal sealed class AwsStsClient
{
    private readonly AwsKmsConfiguration _configuration;
    private readonly AwsKmsOptions _options;
    private readonly AwsHttpHandlerPool _pool;
    private readonly ISecretResolver _secrets;
    private readonly TimeProvider _time;
    private readonly AwsCallRunner _runner;

    public AwsStsClient(
        AwsKmsConfiguration configuration, AwsKmsOptions options, AwsHttpHandlerPool pool, ISecretResolver secrets, TimeProvider time,
        AwsCallRunner runner)
    {
        _configuration = configuration;
        _options = options;
        _pool = pool;
        _secrets = secrets;
        _time = time;
        _runner = runner;
    }

    /// <summary>The principal the console's credentials belong to, once known (for AccessDenied messages).</summary>
    public string? Principal { get; private set; }

    public async Task<AwsCallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken)
    {
        var config = AwsClientConfigs.Sts(_configuration, _options, _pool);
        var (credentials, sensitive) = await AwsConsoleCredentials.ResolveAsync(_configuration, _secrets, config, cancellationToken).ConfigureAwait(false);
        using var client = new AmazonSecurityTokenServiceClient(credentials, config);
        var response = await _runner.RunAsync(AwsOperation.GetCallerIdentity,
            ct => client.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct), () => sensitive, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(response.Arn))
        {
            throw new KeystoreException(KeystoreErrorKind.InvalidResponse,
                $"{AwsErrors.Where(AwsOperation.GetCallerIdentity, _configuration)} answered GetCallerIdentity without an ARN.");
        }

        Principal = response.Arn;
        return new AwsCallerIdentity(response.Arn, response.Account ?? "", response.UserId ?? "");
    }

    /// <summary>Assumes the configured role with the external ID and the keystore's session name.</summary>
    public Task<AwsSession> AssumeRoleAsync(CancellationToken cancellationToken) => AssumeAsync(withExternalId: true, cancellationToken);

    /// <summary>
    /// Tries to assume the role <i>without</i> the external ID, which a correct trust policy refuses (Test Connection
    /// uses it to find trust policies that do not require the external ID).
    /// </summary>
    public Task<AwsSession> AssumeRoleWithoutExternalIdAsync(CancellationToken cancellationToken) => AssumeAsync(withExternalId: false, cancellationToken);

    private async Task<AwsSession> AssumeAsync(bool withExternalId, CancellationToken cancellationToken)
    {
        var config = AwsClientConfigs.Sts(_configuration, _options, _pool);
        var (credentials, sensitive) = await AwsConsoleCredentials.ResolveAsync(_configuration, _secrets, config, cancellationToken).ConfigureAwait(false);
        using var client = new AmazonSecurityTokenServiceClient(credentials, config);
        var sentAt = _time.GetUtcNow();
        var request = new AssumeRoleRequest
        {
            RoleArn = _configuration.Role.Value,
            RoleSessionName = _configuration.SessionName,
            ExternalId = withExternalId ? _configuration.ExternalId : null,
            DurationSeconds = (int)_options.SessionDuration.TotalSeconds,
        };
        var response = await _runner.RunAsync(AwsOperation.AssumeRole,
            ct => client.AssumeRoleAsync(request, ct), () => sensitive, cancellationToken, Principal).ConfigureAwait(false);
        var c = response.Credentials;
        if (c is null || string.IsNullOrEmpty(c.AccessKeyId) || string.IsNullOrEmpty(c.SecretAccessKey)
            || string.IsNullOrEmpty(c.SessionToken) || c.Expiration is not { } expiration)
        {
            throw new KeystoreException(KeystoreErrorKind.InvalidResponse,
                $"{AwsErrors.Where(AwsOperation.AssumeRole, _configuration)} answered AssumeRole without complete session credentials.");
        }

        var expires = new DateTimeOffset(DateTime.SpecifyKind(expiration, expiration.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : expiration.Kind).ToUniversalTime());
        return new AwsSession(c.AccessKeyId, c.SecretAccessKey, c.SessionToken, sentAt, expires,
            response.AssumedRoleUser?.Arn ?? _configuration.Role.Value);
    }
}
