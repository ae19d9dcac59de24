using Amazon;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.SecurityToken;

namespace OpenKcm.Providers.AwsKms;

/// <summary>
/// AWS SDK client configurations for one keystore: region or endpoint override, the plugin's pooled handler, the
/// per-attempt timeout, and no SDK retries (the plugin retries throttling itself, bounded, on its own clock). Nothing
/// is read from AWS_ENDPOINT_URL or profile endpoint settings: the keystore's settings decide where requests go.
/// </summary>
internal static class AwsClientConfigs
{
    public static AmazonKeyManagementServiceConfig Kms(AwsKmsConfiguration configuration, AwsKmsOptions options, AwsHttpHandlerPool pool) =>
        Apply(new AmazonKeyManagementServiceConfig(), configuration.Endpoint, configuration, options, pool);

    public static AmazonSecurityTokenServiceConfig Sts(AwsKmsConfiguration configuration, AwsKmsOptions options, AwsHttpHandlerPool pool) =>
        Apply(new AmazonSecurityTokenServiceConfig(), configuration.StsEndpoint, configuration, options, pool);

    private static T Apply<T>(T config, Uri? endpoint, AwsKmsConfiguration configuration, AwsKmsOptions options, AwsHttpHandlerPool pool)
        where T : ClientConfig
    {
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = configuration.Region.Name;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(configuration.Region.Name);
        }

        config.IgnoreConfiguredEndpointUrls = true;
        // An explicit mode: the SDK's "auto" mode probes EC2 instance metadata to find out where it runs, which cost
        // about 1.3 s on the first call of a process off EC2 (measured against the sandbox).
        config.DefaultConfigurationMode = DefaultConfigurationMode.Standard;
        config.MaxErrorRetry = 0;
        config.Timeout = options.RequestTimeout;
        config.HttpClientFactory = pool;
        config.DisableLogging = true;
        config.LogResponse = false;
        config.LogMetrics = false;
        return config;
    }
}
