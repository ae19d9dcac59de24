using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OpenKcm.Sandbox.Hosting;

/// <summary>
/// The logger factory an embedded loopback app gets: the owner's, minus the generic host's own chatter. Every app
/// would otherwise log "Now listening on: …" and the host's start and stop once per emulator into the owner's log,
/// and "Hosting failed to start" as an error when a preferred port is taken, which <see cref="PortFallback"/> handles
/// and reports itself. Kestrel's and the handlers' logs pass through. Disposing it leaves the owner's factory alone.
/// </summary>
internal sealed class HostLogFilter(ILoggerFactory inner) : ILoggerFactory
{
    private static readonly HashSet<string> s_silenced = new(StringComparer.Ordinal)
    {
        "Microsoft.Hosting.Lifetime",
        "Microsoft.Extensions.Hosting.Internal.Host",
    };

    public ILogger CreateLogger(string categoryName) =>
        s_silenced.Contains(categoryName) ? NullLogger.Instance : inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
    }
}
