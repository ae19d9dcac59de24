using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Vault;

namespace OpenKcm.Providers.AwsKms;

/// <summary>
/// The console's own AWS credentials, used only towards STS (GetCallerIdentity, AssumeRole): the stored access key
/// pair, or the console host's default chain (environment, shared profile, container or instance role). Resolved at
/// each use so that the secret lives in memory only for one STS call.
/// </summary>
internal static class AwsConsoleCredentials
{
    // The host's credentials are the same for every keystore: one resolver for the process, as the SDK itself keeps,
    // so that refreshing credentials (instance or container roles) are cached and refreshed by the SDK, not refetched.
    private static readonly DefaultAWSCredentialsIdentityResolver s_defaultChain = new();

    /// <summary>The credentials and the values to redact from anything shown.</summary>
    /// <exception cref="KeystoreException">No secret stored, or the default chain found no credentials.</exception>
    public static async Task<(AWSCredentials Credentials, string[] Sensitive)> ResolveAsync(
        AwsKmsConfiguration configuration, ISecretResolver secrets, IClientConfig stsConfig, CancellationToken cancellationToken)
    {
        if (configuration.CredentialSource == AwsKmsFieldNames.AccessKeys)
        {
            using var secret = await secrets.GetAsync(AwsKmsFieldNames.SecretAccessKey, cancellationToken).ConfigureAwait(false)
                ?? throw new KeystoreException(KeystoreErrorKind.InvalidConfiguration,
                    "No secret access key is stored for this keystore: enter the secret access key that belongs to the access key ID.");
            var value = secret.Reveal();
            return (new BasicAWSCredentials(configuration.AccessKeyId, value), [value]);
        }

        try
        {
            var credentials = await s_defaultChain.ResolveIdentityAsync(stsConfig, cancellationToken).ConfigureAwait(false);
            var immutable = await credentials.GetCredentialsAsync().ConfigureAwait(false);
            return (credentials, [immutable.SecretKey, immutable.Token ?? ""]);
        }
        catch (AmazonClientException ex)
        {
            throw new KeystoreException(KeystoreErrorKind.InvalidConfiguration,
                "The console host has no AWS credentials in its default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                + "AWS_PROFILE and the shared credentials file, web identity, container or EC2 instance role).", ex);
        }
    }
}
