using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.Faults;

namespace OpenKcm.Sandbox.Hosting;

/// <summary>
/// An emulator's socket: a loopback app that can be stopped (clients then get "connection refused") and started
/// again on the same port. The first start takes the first free preferred port, else any free port (with a warning);
/// later starts rebind the port of the first. The emulator's state lives outside it and survives. Start and stop are
/// serialized.
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
        _gate.Dispose();
    }
}
