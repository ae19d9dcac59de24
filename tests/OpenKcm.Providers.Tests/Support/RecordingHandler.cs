using System.Collections.Concurrent;

namespace OpenKcm.Providers.Tests.Support;

/// <summary>One request the plugin sent: its path and the OpenBao headers that matter to the tests.</summary>
internal sealed record RecordedRequest(string Path, string? Namespace, string? VaultRequest);

/// <summary>Wraps a pooled handler (<c>OpenBaoHandlerPool</c>'s test hook) and records every request it sends.</summary>
internal sealed class RecordingHandler(HttpMessageHandler inner, ConcurrentQueue<RecordedRequest> requests) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        requests.Enqueue(new(
            request.RequestUri!.AbsolutePath,
            request.Headers.TryGetValues("X-Vault-Namespace", out var ns) ? ns.Single() : null,
            request.Headers.TryGetValues("X-Vault-Request", out var vr) ? vr.Single() : null));
        return base.SendAsync(request, cancellationToken);
    }
}
