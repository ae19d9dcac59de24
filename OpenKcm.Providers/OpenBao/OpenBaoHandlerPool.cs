using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace OpenKcm.Providers.OpenBao;

/// <summary>
/// One pooled <see cref="SocketsHttpHandler"/> per distinct (server origin, trusted CA set), shared by every Test
/// Connection run and connection to that server, so TCP/TLS connections are reused instead of opened per request.
/// Singleton (registered by <c>AddKeystoreProviders</c>); thread-safe; disposes the handlers when disposed.
/// </summary>
/// <remarks>
/// When a CA certificate is configured it becomes the only trust anchor for that server (like <c>BAO_CACERT</c>):
/// the chain must end at it, and the host name is still checked. Validation is never switched off.
/// </remarks>
public sealed class OpenBaoHandlerPool : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<HttpMessageHandler>> _handlers = new(StringComparer.Ordinal);
    private readonly OpenBaoOptions _options;
    private readonly Func<HttpMessageHandler, HttpMessageHandler>? _decorate;
    private bool _disposed;

    public OpenBaoHandlerPool(OpenBaoOptions options)
        : this(options, decorate: null)
    {
    }

    /// <summary>For tests: <paramref name="decorate"/> wraps each pooled handler (e.g. to record requests).</summary>
    internal OpenBaoHandlerPool(OpenBaoOptions options, Func<HttpMessageHandler, HttpMessageHandler>? decorate)
    {
        _options = options;
        _decorate = decorate;
    }

    /// <summary>Number of distinct handlers created so far.</summary>
    internal int Count => _handlers.Count;

    /// <summary>
    /// A client for <paramref name="address"/> trusting <paramref name="caCertificates"/> (empty: the system roots).
    /// The caller disposes the client; the handler stays pooled.
    /// </summary>
    internal HttpClient CreateClient(Uri address, ImmutableArray<X509Certificate2> caCertificates)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var key = address.GetLeftPart(UriPartial.Authority).ToLowerInvariant() + "|"
            + (caCertificates.IsDefaultOrEmpty ? "system" : CaCertificateParser.Fingerprint(caCertificates));
        var handler = _handlers.GetOrAdd(key, _ => new Lazy<HttpMessageHandler>(
            () => Create(caCertificates), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

        // Timeouts are applied per request with the plugin's TimeProvider; the body is small JSON.
        return new HttpClient(handler, disposeHandler: false)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = 1024 * 1024,
        };
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var lazy in _handlers.Values)
        {
            if (lazy.IsValueCreated)
            {
                lazy.Value.Dispose();
            }
        }

        _handlers.Clear();
    }

    private HttpMessageHandler Create(ImmutableArray<X509Certificate2> caCertificates)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = _options.PooledConnectionLifetime,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),

            // A standby node without request forwarding answers 307 to the active node: report it rather than
            // silently resend the token to another host.
            AllowAutoRedirect = false,
            UseCookies = false,
        };

        if (!caCertificates.IsDefaultOrEmpty)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            foreach (var certificate in caCertificates)
            {
                // Copies: the handler outlives the configuration object that parsed them.
                policy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(certificate.RawData));
            }

            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }

        return _decorate is null ? handler : _decorate(handler);
    }
}
