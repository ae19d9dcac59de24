using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OpenKcm.Sandbox.Hosting;

/// <summary>
/// Starts a loopback app on the first of its preferred ports it can bind, else on any free port, and then warns once,
/// naming every port it could not use and, where it can tell, the process holding it. A taken port never fails the
/// start: a sandbox on another port is more use than no sandbox.
/// </summary>
internal static class PortFallback
{
    /// <summary>
    /// Tries <paramref name="preferredPorts"/> in order (zeros and repeats skipped; none: any free port, no warning).
    /// The warning names <paramref name="name"/> (<c>openbao</c>, <c>control endpoint</c>) and ends with
    /// <paramref name="consequence"/>: what the move breaks.
    /// </summary>
    public static async Task<WebApplication> StartAsync(string name, IEnumerable<int> preferredPorts, string consequence,
        RequestDelegate handler, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var refused = new List<string>();
        WebApplication? app = null;
        foreach (var port in preferredPorts.Where(p => p > 0).Distinct())
        {
            try
            {
                app = await LoopbackApp.StartAsync(port, handler, loggerFactory, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception error) when (error is IOException or SocketException)
            {
                refused.Add($"{port} ({Reason(port, error)})");
            }
        }

        app ??= await LoopbackApp.StartAsync(0, handler, loggerFactory, cancellationToken).ConfigureAwait(false);
        if (refused.Count > 0)
        {
            loggerFactory.CreateLogger(typeof(PortFallback)).LogWarning(
                "Sandbox {Name} listens on 127.0.0.1 port {Port} instead of {RefusedPorts}: {Consequence}",
                name, LoopbackApp.BoundPort(app), string.Join(", then ", refused), consequence);
        }

        return app;
    }

    private static string Reason(int port, Exception error)
    {
        for (var cause = error; cause is not null; cause = cause.InnerException)
        {
            if (cause is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return "in use by " + PortOwner.Describe(port);
            }
        }

        return (error as SocketException ?? error.InnerException as SocketException)?.Message ?? error.Message;
    }
}
