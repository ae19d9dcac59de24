using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace OpenKcm.Providers.Tests.Support;

/// <summary>
/// Puts TLS in front of a plain-http loopback server, as a TLS-terminating load balancer in front of OpenBao would:
/// accepts TLS on its own port with <paramref name="certificate"/> and relays bytes to <paramref name="target"/>.
/// It knows nothing about the protocol it carries.
/// </summary>
public sealed class TlsTerminatingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public TlsTerminatingProxy(X509Certificate2 certificate, Uri target)
    {
        _certificate = certificate;
        _target = target;
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    /// <param name="host">127.0.0.1 or localhost (both are in the test certificate).</param>
    public Uri Address(string host = "127.0.0.1") => new($"https://{host}:{((IPEndPoint)_listener.LocalEndpoint).Port}");

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

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                await upstream.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                var up = upstream.GetStream();
                var toServer = tls.CopyToAsync(up, _stop.Token);
                var toClient = up.CopyToAsync(tls, _stop.Token);
                await Task.WhenAny(toServer, toClient);
            }
            catch (Exception ex) when (ex is IOException or AuthenticationException or SocketException or OperationCanceledException
                or ObjectDisposedException)
            {
                // The client rejected our certificate or went away: exactly what some tests expect.
            }
        }
    }
}
