using OpenKcm.Core.Health;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace OpenKcm.Console.Infrastructure;

/// <summary>
/// Exports the <see cref="KeystoreMetrics.MeterName"/> instruments over OTLP when an endpoint is configured
/// (<c>OpenKcm:Telemetry:OtlpEndpoint</c>, else the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); without one nothing
/// is exported and the instruments remain readable with dotnet-counters. The OpenTelemetry hosting package is not in
/// the registry, so the <see cref="MeterProvider"/> is built here and disposed (flushing) with the host.
/// </summary>
public static class KeystoreTelemetry
{
    public const string EndpointKey = "OpenKcm:Telemetry:OtlpEndpoint";

    /// <summary>Also honoured: <c>OpenKcm:Telemetry:OtlpProtocol</c> = grpc (default) or http/protobuf.</summary>
    public const string ProtocolKey = "OpenKcm:Telemetry:OtlpProtocol";

    public const string StandardEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The configured OTLP endpoint, or null when telemetry export is off. Throws on a malformed URI.</summary>
    public static Uri? ResolveEndpoint(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration[EndpointKey] is { Length: > 0 } configured ? configured : Environment.GetEnvironmentVariable(StandardEndpointVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new InvalidOperationException($"{EndpointKey} (or {StandardEndpointVariable}) must be an absolute http(s) URI.");
    }

    /// <summary>
    /// Registers a <see cref="MeterProvider"/> exporting the keystore instruments when <see cref="ResolveEndpoint"/>
    /// finds an endpoint; returns whether it did. The provider is created on first resolution; a hosted service
    /// resolves it on start.
    /// </summary>
    public static bool AddKeystoreTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        var endpoint = ResolveEndpoint(configuration);
        if (endpoint is null)
        {
            return false;
        }

        var protocol = string.Equals(configuration[ProtocolKey], "http/protobuf", StringComparison.OrdinalIgnoreCase)
            ? OtlpExportProtocol.HttpProtobuf
            : OtlpExportProtocol.Grpc;
        services.AddSingleton(sp =>
        {
            // Resolve the metrics first: its Meter must exist for AddMeter to pick it up.
            _ = sp.GetRequiredService<KeystoreMetrics>();
            return Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(r => r.AddService("OpenKcm.Console"))
                .AddMeter(KeystoreMetrics.MeterName)
                .AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath is "/" or ""
                        ? new Uri(endpoint, "v1/metrics")
                        : endpoint;
                    exporter.Protocol = protocol;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds =
                        configuration.GetValue("OpenKcm:Telemetry:ExportIntervalMilliseconds", 10_000);
                })
                .Build();
        });
        services.AddHostedService<TelemetryStartup>();
        return true;
    }

    /// <summary>Builds the provider on start (so export begins without waiting for a first resolution).</summary>
    private sealed class TelemetryStartup(MeterProvider provider) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            provider.ForceFlush(timeoutMilliseconds: 2000);
            return Task.CompletedTask;
        }
    }
}
