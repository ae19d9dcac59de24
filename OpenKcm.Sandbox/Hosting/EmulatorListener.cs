using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.Faults;

namespace OpenKcm.Sandbox.Hosting;

/// <summary>
/// An emulator's socket: a loopback app that can be stopped (clients then get "connection refused") and started
/// again on the same port. The first start takes the first free preferred port, else any free port (with a warning);
/// later starts rebind the port of the first. The emulator's state lives outside it and survives. Start and stop are
/// serialized. While stopped, a bound socket that does not listen holds the port (connections are still refused), so
/// nothing else that binds a free port meanwhile can take it and make the restart move.
/// </summary>
internal sealed class EmulatorListener : IListenerSwitch, IAsyncDisposable
{
    private readonly string _name;
    private readonly IReadOnlyList<int> _preferredPorts;
    private readonly RequestDelegate _handler;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WebApplication? _app;
    private Socket? _portHold;

    /// <summary>The first start tries <paramref name="preferredPorts"/> in order (zeros skipped), then any free port.</summary>
    public EmulatorListener(string name, IReadOnlyList<int> preferredPorts, RequestDelegate handler, ILoggerFactory loggerFactory)
    {
        _name = name;
        _preferredPorts = preferredPorts;
        _handler = handler;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<EmulatorListener>();
    }

    /// <summary>The bound port; 0 until the first start.</summary>
    public int Port { get; private set; }

    public bool IsListening => Volatile.Read(ref _app) is not null;

    public async Task SetListeningAsync(bool listening, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (listening && _app is null)
            {
                ReleasePort();
                var app = Port == 0
                    ? await PortFallback.StartAsync(_name, _preferredPorts,
                        "keystores configured with the other address fail until they are re-imported from the new manifest",
                        _handler, _loggerFactory, cancellationToken).ConfigureAwait(false)
                    : await LoopbackApp.StartAsync(Port, _handler, _loggerFactory, cancellationToken).ConfigureAwait(false);
                Port = LoopbackApp.BoundPort(app);
                Volatile.Write(ref _app, app);
                _logger.LogInformation("Emulator {Name} listening on http://127.0.0.1:{Port}", _name, Port);
            }
            else if (!listening && _app is { } app)
            {
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
                Volatile.Write(ref _app, null);
                HoldPort();
                _logger.LogInformation("Emulator {Name} stopped listening on port {Port}", _name, Port);
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
        ReleasePort();
        _gate.Dispose();
    }

    /// <summary>
    /// Binds the port without listening: connection attempts still get a reset ("connection refused"), but the port
    /// is not free for someone else's bind. SO_REUSEADDR as Kestrel's own listener has, so the bind succeeds while the
    /// closed connections of the app linger in TIME_WAIT. Best effort: without the hold, a restart may have to move.
    /// </summary>
    private void HoldPort()
    {
        var hold = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            hold.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            hold.Bind(new IPEndPoint(IPAddress.Loopback, Port));
            _portHold = hold;
        }
        catch (SocketException e)
        {
            hold.Dispose();
            _logger.LogDebug("Emulator {Name} could not hold port {Port} while down: {Error}", _name, Port, e.SocketErrorCode);
        }
    }

    private void ReleasePort()
    {
        _portHold?.Dispose();
        _portHold = null;
    }
}
