using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenKcm.Core.Tests.Alerts;

/// <summary>
/// A real HTTP endpoint on loopback (HttpListener) that records every request and answers what
/// <see cref="Respond"/> says: a status code, or -1 to hang until disposed.
/// </summary>
internal sealed class WebhookReceiver : IDisposable
{
    public const int Hang = -1;

    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WebhookReceiver()
    {
        // A port found free can be taken by a parallel test before HttpListener binds it: try another one.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            _listener = new HttpListener();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                _listener.Close();
            }
        }

        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hook";

    /// <summary>Status for the n-th request (1-based); default 200.</summary>
    public Func<int, int> Respond { get; set; } = _ => 200;

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>Requests that arrived and are hanging now (including ones the client has already given up on).</summary>
    public int Hanging => Volatile.Read(ref _hanging);

    private int _count;
    private int _hanging;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
            .ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
        var n = Interlocked.Increment(ref _count);
        Requests.Enqueue(new Received(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers, body));
        var status = Respond(n);
        if (status == Hang)
        {
            Interlocked.Increment(ref _hanging);
            try
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            Interlocked.Decrement(ref _hanging);
            context.Response.Abort();
            return;
        }

        try
        {
            context.Response.StatusCode = status;
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
        {
            // The client gave up.
        }
    }

    public sealed record Received(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);
}
