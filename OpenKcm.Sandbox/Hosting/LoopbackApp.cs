using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OpenKcm.Sandbox.Hosting;

/// <summary>
/// A minimal Kestrel app that listens on 127.0.0.1 only (never another interface) and hands every request to one
/// delegate. No configuration sources are read, so environment variables such as <c>ASPNETCORE_URLS</c> cannot
/// widen the binding. It is embedded in another process: it logs none of the host's status messages ("Now listening
/// on", "Application started. Press Ctrl+C", see <see cref="HostLogFilter"/>) and does not react to Ctrl+C or SIGTERM
/// (<see cref="EmbeddedHostLifetime"/>); its owner stops it.
/// </summary>
internal static class LoopbackApp
{
    /// <summary>Vault's default maximum request size.</summary>
    private const long MaxRequestBodySize = 32 * 1024 * 1024;

    /// <summary>Starts the app on <c>127.0.0.1:port</c>; port 0 lets the OS pick one (read it with <see cref="BoundPort"/>).</summary>
    public static async Task<WebApplication> StartAsync(
        int port, RequestDelegate handler, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(LoopbackApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddSingleton<ILoggerFactory>(new HostLogFilter(loggerFactory));
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodySize;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        var app = builder.Build();
        app.Run(handler);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return app;
    }

    public static int BoundPort(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        return new Uri(addresses.Addresses.Single()).Port;
    }
}
