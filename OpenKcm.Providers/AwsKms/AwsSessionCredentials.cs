using Amazon.Runtime;

namespace OpenKcm.Providers.AwsKms;

/// <summary>
/// Feeds the pooled KMS client the current session of an <see cref="AwsSessionCache"/>, so one client serves a
/// connection for its whole life while the session underneath is refreshed. Thread-safe.
/// </summary>
internal sealed class AwsSessionCredentials(AwsSessionCache cache) : AWSCredentials
{
    public override ImmutableCredentials GetCredentials() => GetCredentialsAsync().GetAwaiter().GetResult();

    public override async Task<ImmutableCredentials> GetCredentialsAsync()
    {
        // The plugin refreshes (cancellably) before each call; this finds a fresh session and returns at once.
        var session = await cache.GetAsync(CancellationToken.None).ConfigureAwait(false);
        return new ImmutableCredentials(session.AccessKeyId, session.SecretAccessKey, session.SessionToken);
    }

    public override string ToString() => "AWS session credentials (redacted)";
}
