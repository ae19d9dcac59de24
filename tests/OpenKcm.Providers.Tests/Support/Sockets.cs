using System.Net;
using System.Net.Sockets;

namespace OpenKcm.Providers.Tests.Support;

/// <summary>Loopback sockets that misbehave on purpose.</summary>
public static class Sockets
{
    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>Accepts TCP connections and never answers: a server that hangs.</summary>
public sealed class BlackHoleServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _accepted = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly TaskCompletionSource _firstAccepted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public BlackHoleServer()
    {
        _listener.Start();
        _loop = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Completes once a client has connected.</summary>
    public Task FirstConnection => _firstAccepted.Task;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        lock (_accepted)
        {
            _accepted.ForEach(c => c.Dispose());
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_accepted)
            {
                _accepted.Add(client);
            }

            _firstAccepted.TrySetResult();
        }
    }
}
