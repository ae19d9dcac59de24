using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenKcm.Sandbox.Hosting;

namespace OpenKcm.Sandbox.ThalesLuna.Ntls;

/// <summary>
/// Binds one listening socket per address, all on the same port (the appliances of a Luna HA group share the NTLS
/// port; the plugin's configuration has one <c>ntls_port</c> for every address). Tries the preferred ports in order,
/// then ports the OS picks for the first address until one is free on every address. A preferred port that cannot be
/// had is reported in one warning naming who holds it; start-up never fails for it.
/// </summary>
internal static class SharedPortBinder
{
    private const int FreePortAttempts = 50;

    /// <exception cref="SocketException">No port could be bound on every address after many attempts.</exception>
    public static (int Port, IReadOnlyList<Socket> Sockets) Bind(
        IReadOnlyList<IPAddress> addresses, IEnumerable<int> preferredPorts, ILogger logger)
    {
        var refused = new List<string>();
        foreach (var port in preferredPorts.Where(p => p > 0).Distinct())
        {
            try
            {
                var sockets = BindAll(addresses, port);
                Warn(refused, port, logger);
                return (port, sockets);
            }
            catch (SocketException error)
            {
                refused.Add($"{port} ({(error.SocketErrorCode == SocketError.AddressAlreadyInUse ? "in use by " + PortOwner.Describe(port) : error.Message)})");
            }
        }

        SocketException? last = null;
        for (var attempt = 0; attempt < FreePortAttempts; attempt++)
        {
            var first = NtlsListener.Bind(addresses[0], 0);
            var port = ((IPEndPoint)first.LocalEndPoint!).Port;
            try
            {
                var rest = BindAll(addresses.Skip(1).ToList(), port);
                Warn(refused, port, logger);
                return (port, [first, .. rest]);
            }
            catch (SocketException error)
            {
                // Free on the first address but taken on another: try another port.
                first.Dispose();
                last = error;
            }
        }

        throw last ?? new SocketException((int)SocketError.AddressAlreadyInUse);
    }

    private static List<Socket> BindAll(IReadOnlyList<IPAddress> addresses, int port)
    {
        var sockets = new List<Socket>();
        try
        {
            foreach (var address in addresses)
            {
                sockets.Add(NtlsListener.Bind(address, port));
            }

            return sockets;
        }
        catch
        {
            sockets.ForEach(socket => socket.Dispose());
            throw;
        }
    }

    private static void Warn(List<string> refused, int port, ILogger logger)
    {
        if (refused.Count > 0)
        {
            logger.LogWarning("Sandbox thales_luna appliances listen on port {Port} instead of {RefusedPorts}: keystores configured "
                + "with the other ntls_port fail until they are re-imported from the new manifest", port, string.Join(", then ", refused));
        }
    }
}
