using Amazon.Runtime;

namespace OpenKcm.Providers.AwsKms;

/// <summary>
/// The one pooled HTTP handler every AWS client of the plugin sends through (TCP/TLS connections are reused across
/// keystores, calls and session refreshes), handed to the AWS SDK as its <see cref="HttpClientFactory"/>. Singleton;
/// thread-safe; disposed with the container.
/// </summary>
public sealed class AwsHttpHandlerPool : HttpClientFactory, IDisposable
{
    private readonly HttpMessageHandler _handler;
    private readonly SocketsHttpHandler _sockets;

    public AwsHttpHandlerPool(AwsKmsOptions options)
        : this(options, wrap: null)
    {
    }

    /// <summary>For tests: <paramref name="wrap"/> wraps the pooled handler (e.g. to record what is sent).</summary>
    internal AwsHttpHandlerPool(AwsKmsOptions options, Func<HttpMessageHandler, HttpMessageHandler>? wrap)
    {
        _sockets = new SocketsHttpHandler
        {
            PooledConnectionLifetime = options.PooledConnectionLifetime,
            ConnectTimeout = options.RequestTimeout,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = true,
        };
        _handler = wrap is null ? _sockets : wrap(_sockets);
    }

    /// <summary>An HttpClient over the pooled handler; the SDK's own timeout and the plugin's cancellation bound it.</summary>
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(_handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    // The SDK must neither cache clients keyed by configuration nor dispose them after each request: the pool is ours.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public void Dispose() => _handler.Dispose();
}
