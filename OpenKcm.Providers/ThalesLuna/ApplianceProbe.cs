using System.Net;
using System.Net.Sockets;

namespace OpenKcm.Providers.ThalesLuna;

/// <summary>
/// TCP connects to the appliances' NTLS port, all at once, each bounded by a timeout. This proves the network path and
/// that something listens; the NTLS (TLS) handshake itself is the Luna client library's business.
/// </summary>
internal static class ApplianceProbe
{
    public static async Task<IReadOnlyList<ApplianceStatus>> ProbeAllAsync(
        IReadOnlyList<string> addresses, int port, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var probes = addresses.Select(a => ProbeAsync(a, port, timeout, time, cancellationToken)).ToArray();
        return await Task.WhenAll(probes).ConfigureAwait(false);
    }

    private static async Task<ApplianceStatus> ProbeAsync(
        string address, int port, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            IPAddress[] targets = IPAddress.TryParse(address, out var ip)
                ? [ip]
                : await Dns.GetHostAddressesAsync(address, limit.Token).ConfigureAwait(false);
            if (targets.Length == 0)
            {
                return new ApplianceStatus(address, false, time.GetElapsedTime(started), "the name resolves to no address");
            }

            using var socket = new Socket(targets[0].AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(targets[0], port), limit.Token).ConfigureAwait(false);
            var latency = time.GetElapsedTime(started);
            socket.Shutdown(SocketShutdown.Both);
            return new ApplianceStatus(address, true, latency, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ApplianceStatus(address, false, time.GetElapsedTime(started),
                $"no answer within {timeout.TotalSeconds:0.#} s (a firewall dropping the packets, or the appliance is down)");
        }
        catch (SocketException ex)
        {
            var problem = ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"connection refused on port {port} (NTLS not running there, or another port)",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "the host name does not resolve",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "no route to the appliance",
                SocketError.TimedOut => "the connection timed out",
                _ => $"connection failed ({ex.SocketErrorCode})",
            };
            return new ApplianceStatus(address, false, time.GetElapsedTime(started), problem);
        }
    }

    /// <summary>"192.168.1.100 (2.1 ms), 192.168.1.101: connection refused ..." for check details.</summary>
    public static string Describe(ApplianceStatus s, string role, int port) => s.Reachable
        ? $"{s.Address}:{port} {role} ({s.Latency.TotalMilliseconds:0.0} ms)"
        : $"{s.Address}:{port} offline: {s.Problem}";
}
