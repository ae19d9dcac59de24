using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.Faults;

namespace OpenKcm.Sandbox.ThalesLuna.Ntls;

/// <summary>
/// A TCP listener standing in for one Luna appliance's NTLS port. A real NTLS port is a TLS server requiring a client
/// certificate registered on the appliance, carrying the Luna client's own protocol; this one speaks neither: it
/// accepts, waits <see cref="EmulatorFaults.LatencyMs"/>, writes one <see cref="Banner"/> line, closes its sending side
/// and closes the connection once the client does (or after <see cref="IdleTimeout"/>); whatever the client sends is
/// read and discarded. So a TCP connect succeeds and a client that waits for the first byte sees the latency fault.
/// <see cref="EmulatorFaults.ErrorRate"/> resets that share of connections without a banner; <see cref="EmulatorFaults.Sealed"/>
/// closes every connection at once without a banner (an appliance whose NTLS service answers but serves nothing).
/// "Down" closes the listening socket (connection refused) and the connections in progress; "up" rebinds the same
/// address and port. Start and stop are serialized.
/// </summary>
internal sealed class NtlsListener : IListenerSwitch, IAsyncDisposable
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    private const int Backlog = 64;

    private readonly string _name;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _connectionsGate = new();
    private readonly HashSet<Task> _connections = [];
    private Socket? _socket;
    private CancellationTokenSource? _stopping;
    private Task? _acceptLoop;
    private long _accepted;

    public NtlsListener(string name, IPAddress address, int port, ILogger logger)
    {
        _name = name;
        Address = address;
        Port = port;
        _logger = logger;
        Banner = Encoding.ASCII.GetBytes($"OPENKCM-SANDBOX NTLS {name} {address}:{port} (stand-in: no TLS, no Luna protocol)\n");
    }

    public IPAddress Address { get; }

    public int Port { get; }

    /// <summary>The line every served connection gets.</summary>
    public byte[] Banner { get; }

    /// <summary>Set once, before the listener first starts.</summary>
    public EmulatorFaults Faults { get; set; } = null!;

    /// <summary>Connections accepted since start, including those reset or closed by a fault.</summary>
    public long AcceptedConnections => Interlocked.Read(ref _accepted);

    public bool IsListening => Volatile.Read(ref _socket) is not null;

    /// <summary>Opens a socket bound to <paramref name="address"/>:<paramref name="port"/> and listening.</summary>
    /// <exception cref="SocketException">The address or port cannot be bound (e.g. in use).</exception>
    public static Socket Bind(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // On Linux this only lets the port be bound again while old connections sit in TIME_WAIT (after "down");
            // it never lets two listeners share it.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(Backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts serving on a socket the caller bound (to <see cref="Address"/>:<see cref="Port"/>); it owns it then.</summary>
    public async Task StartAsync(Socket bound, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_socket is not null)
            {
                bound.Dispose();
                throw new InvalidOperationException($"{_name} is already listening");
            }

            Serve(bound);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task SetListeningAsync(bool listening, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (listening && _socket is null)
            {
                Serve(Bind(Address, Port));
                _logger.LogInformation("Sandbox appliance {Name} listening again on {Address}:{Port}", _name, Address, Port);
            }
            else if (!listening && _socket is not null)
            {
                await StopAsync().ConfigureAwait(false);
                _logger.LogInformation("Sandbox appliance {Name} stopped listening on {Address}:{Port}", _name, Address, Port);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await SetListeningAsync(false, CancellationToken.None).ConfigureAwait(false);
        _gate.Dispose();
    }

    private void Serve(Socket socket)
    {
        _stopping = new CancellationTokenSource();
        Volatile.Write(ref _socket, socket);
        _acceptLoop = AcceptLoopAsync(socket, _stopping.Token);
    }

    private async Task StopAsync()
    {
        var stopping = _stopping!;
        await stopping.CancelAsync().ConfigureAwait(false);
        _socket!.Dispose();
        Volatile.Write(ref _socket, null);
        await _acceptLoop!.ConfigureAwait(false);
        Task[] open;
        lock (_connectionsGate)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open).ConfigureAwait(false);
        stopping.Dispose();
        _stopping = null;
        _acceptLoop = null;
    }

    private async Task AcceptLoopAsync(Socket socket, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await socket.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException
                || (error is SocketException && stopping.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException error)
            {
                // e.g. the client reset the connection before it was accepted: keep listening.
                _logger.LogDebug("Sandbox appliance {Name}: accept failed ({Error})", _name, error.SocketErrorCode);
                continue;
            }

            Interlocked.Increment(ref _accepted);
            var connection = ServeAsync(client, stopping);
            lock (_connectionsGate)
            {
                _connections.Add(connection);
            }

            _ = connection.ContinueWith(done =>
            {
                lock (_connectionsGate)
                {
                    _connections.Remove(done);
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Task.Delay may fire up to a timer tick early; the fault promises at least the latency set.</summary>
    private static async Task DelayAtLeastAsync(TimeSpan latency, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        for (var left = latency; left > TimeSpan.Zero; left = latency - Stopwatch.GetElapsedTime(started))
        {
            await Task.Delay(left + TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken stopping)
    {
        // Let AcceptLoopAsync register the task before it can complete.
        await Task.Yield();
        using (client)
        {
            try
            {
                await DelayAtLeastAsync(TimeSpan.FromMilliseconds(Faults.LatencyMs), stopping).ConfigureAwait(false);

                var rate = Faults.ErrorRate;
                if (rate > 0 && (rate >= 1 || Random.Shared.NextDouble() < rate))
                {
                    // Linger 0: close sends RST, the client sees "connection reset by peer".
                    client.LingerState = new LingerOption(true, 0);
                    return;
                }

                if (Faults.Sealed)
                {
                    client.Shutdown(SocketShutdown.Both);
                    return;
                }

                await client.SendAsync(Banner, SocketFlags.None, stopping).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Send);
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                idle.CancelAfter(IdleTimeout);
                var buffer = new byte[512];
                while (await client.ReceiveAsync(buffer, SocketFlags.None, idle.Token).ConfigureAwait(false) > 0)
                {
                }
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped, idle for too long, or the client went away: the connection just ends.
            }
        }
    }
}
