using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenKcm.Console.Infrastructure;
using OpenKcm.Core.Health;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Vault;
using OpenTelemetry.Metrics;

namespace OpenKcm.Console.Tests.Infrastructure;

public sealed class KeystoreTelemetryTests
{
    [Fact]
    public async Task AddKeystoreTelemetry_OtlpHttpEndpoint_ExportsKeystoreInstrumentsToIt()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = ReceiveUntilAsync(listener, "openkcm.keystore.results");
        var services = BaseServices(new Dictionary<string, string?>
        {
            [KeystoreTelemetry.EndpointKey] = $"http://127.0.0.1:{port}",
            [KeystoreTelemetry.ProtocolKey] = "http/protobuf",
            ["OpenKcm:Telemetry:ExportIntervalMilliseconds"] = "100",
        }, out var configuration);

        Assert.True(services.AddKeystoreTelemetry(configuration));
        await using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<MeterProvider>();
        provider.GetRequiredService<KeystoreMetrics>().Record(Keystore(), HealthObservation.Success(
            HealthObservationSource.Probe, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(12)));

        var (path, body) = await received.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("/v1/metrics", path);
        Assert.Contains("openkcm.keystore.probe.duration", body, StringComparison.Ordinal);
        Assert.Contains("otel_probe", body, StringComparison.Ordinal);
        Assert.Contains(provider.GetServices<IHostedService>(), s => s.GetType().Name == "TelemetryStartup");
    }

    [Fact]
    public void AddKeystoreTelemetry_NoConfiguredEndpoint_RegistersOnlyWhenTheStandardVariableIsSet()
    {
        var fromEnvironment = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(KeystoreTelemetry.StandardEndpointVariable));
        var services = BaseServices([], out var configuration);

        Assert.Equal(fromEnvironment, services.AddKeystoreTelemetry(configuration));
        Assert.Equal(fromEnvironment, services.Any(d => d.ServiceType == typeof(MeterProvider)));
    }

    [Fact]
    public void ResolveEndpoint_Malformed_ThrowsNamingTheKey()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [KeystoreTelemetry.EndpointKey] = "ftp://collector" }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => KeystoreTelemetry.ResolveEndpoint(configuration));

        Assert.Contains(KeystoreTelemetry.EndpointKey, error.Message, StringComparison.Ordinal);
    }

    private static ServiceCollection BaseServices(Dictionary<string, string?> values, out IConfiguration configuration)
    {
        configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOptions();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<HealthFeed>();
        services.AddSingleton<KeystoreMetrics>();
        return services;
    }

    private static async Task<(string Path, string Body)> ReceiveUntilAsync(HttpListener listener, string marker)
    {
        while (true)
        {
            var context = await listener.GetContextAsync();
            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer);
            context.Response.StatusCode = 200;
            context.Response.Close();

            // Protobuf carries strings as raw UTF-8, so instrument names and tag values are readable in the body.
            var body = Encoding.UTF8.GetString(buffer.ToArray());
            if (body.Contains(marker, StringComparison.Ordinal))
            {
                return (context.Request.Url!.AbsolutePath, body);
            }
        }
    }

    private static ActiveKeystore Keystore() => new()
    {
        Id = Guid.NewGuid(),
        TenantId = Guid.NewGuid(),
        TenantName = "acme",
        Name = "otel_probe",
        Kind = "fake",
        Version = 1,
        Settings = OpenKcm.Core.Plugins.KeystoreSettings.Empty,
        Secrets = new NoSecrets(),
    };

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private sealed class NoSecrets : ISecretResolver
    {
        public ValueTask<SecretValue?> GetAsync(string field, CancellationToken cancellationToken) => ValueTask.FromResult<SecretValue?>(null);
    }
}
