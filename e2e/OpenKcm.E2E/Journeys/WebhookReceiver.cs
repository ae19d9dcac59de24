using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace OpenKcm.E2E.Journeys;

/// <summary>
/// A webhook endpoint on loopback, as a pager or ticketing system would run it: accepts every POST with 204 and keeps
/// what arrived (headers and raw body) for the test to read. Independent of the console's code: the signature is
/// checked from the documented contract (docs/alerts.md), not with the console's own signer.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly Task _loop;

    public WebhookReceiver()
    {
        var port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/openkcm-hook/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public Uri Url { get; }

    /// <summary>Waits for the first request whose JSON body satisfies <paramref name="match"/>.</summary>
    public async Task<Received> WaitForAsync(Func<JsonNode, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var next = await _received.Reader.ReadAsync(cts.Token);
                if (JsonNode.Parse(next.Body) is { } json && match(json))
                {
                    return next;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"No matching webhook request arrived at {Url} within {timeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>True when the request carries the documented signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body)).</summary>
    public static bool SignatureIsValid(Received request, string secret)
    {
        var timestamp = request.Headers["X-OpenKCM-Timestamp"];
        var signature = request.Headers["X-OpenKCM-Signature"];
        if (timestamp is null || signature is null)
        {
            return false;
        }

        var message = Encoding.UTF8.GetBytes(timestamp + ".").Concat(request.Body).ToArray();
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.ASCII.GetBytes(secret), message));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature));
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
            // Stopping the listener ends the loop with an exception by design.
        }
    }

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in context.Request.Headers.AllKeys)
            {
                if (name is not null)
                {
                    headers[name] = context.Request.Headers[name];
                }
            }

            context.Response.StatusCode = (int)HttpStatusCode.NoContent;
            context.Response.Close();
            await _received.Writer.WriteAsync(new Received(context.Request.HttpMethod, headers, body.ToArray()));
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public sealed record Received(string Method, IReadOnlyDictionary<string, string?> Headers, byte[] Body);
}
