using System.Net;
using System.Net.Sockets;

namespace OpenKcm.Sandbox.Tests.Support;

internal static class LoopbackPorts
{
    /// <summary>A 127.0.0.1 port the OS just handed out and released: free unless someone takes it in between.</summary>
    public static int Free()
    {
        var listener = Occupy();
        var port = listener.Port();
        listener.Stop();
        return port;
    }

    /// <summary>Listens on a free 127.0.0.1 port (read it with <see cref="Port"/>) so nobody else can; the caller stops it.</summary>
    public static TcpListener Occupy()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    public static int Port(this TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;
}
