using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenKcm.Core.Keystores;

namespace OpenKcm.Core.Health;

/// <summary>
/// The keystores' instruments for collectors (dotnet-counters, an OpenTelemetry MeterProvider): meter
/// <see cref="MeterName"/>. Singleton, thread-safe; recording never blocks and never throws.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>openkcm.keystore.probe.duration</c> (histogram, s): deep probes, tags keystore.id, keystore.name,
/// keystore.kind, tenant, outcome (success|failure), error.kind (a <see cref="Plugins.KeystoreErrorKind"/> or
/// "unexpected"; only on failures).</item>
/// <item><c>openkcm.keystore.operation.duration</c> (histogram, s): key-operation attempts, same tags.</item>
/// <item><c>openkcm.keystore.results</c> (counter): every result, the tags above plus source (probe|operation).</item>
/// <item><c>openkcm.keystore.status</c> (observable gauge): per monitored keystore 0 Unknown, 1 Healthy,
/// 2 Warning, 3 Critical, tags keystore.id, keystore.name, keystore.kind, tenant.</item>
/// </list>
/// No tag ever carries a secret: names and ids only.
/// </remarks>
public sealed class KeystoreMetrics : IDisposable
{
    public const string MeterName = "OpenKcm.Keystores";

    private readonly Histogram<double> _probeDuration;
    private readonly Histogram<double> _operationDuration;
    private readonly Counter<long> _results;

    public KeystoreMetrics(HealthFeed feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        Meter = new Meter(MeterName, "1.0");
        _probeDuration = Meter.CreateHistogram<double>(
            "openkcm.keystore.probe.duration", "s", "Duration of deep health probes of keystores.");
        _operationDuration = Meter.CreateHistogram<double>(
            "openkcm.keystore.operation.duration", "s", "Duration of key-operation attempts routed to keystores.");
        _results = Meter.CreateCounter<long>(
            "openkcm.keystore.results", "{result}", "Probe and key-operation results of keystores by outcome.");
        Meter.CreateObservableGauge(
            "openkcm.keystore.status",
            () => feed.GetSnapshot().Select(h => new Measurement<int>((int)h.Status, KeystoreTags(h.KeystoreId, h.Name, h.Kind, h.TenantName))),
            "{status}",
            "Keystore health status: 0 Unknown, 1 Healthy, 2 Warning, 3 Critical.");
    }

    /// <summary>This instance's meter (tests listen to exactly this one).</summary>
    public Meter Meter { get; }

    /// <summary>Records one probe or key-operation result.</summary>
    public void Record(ActiveKeystore keystore, HealthObservation observation)
    {
        ArgumentNullException.ThrowIfNull(keystore);
        ArgumentNullException.ThrowIfNull(observation);
        var tags = KeystoreTags(keystore.Id, keystore.Name, keystore.Kind, keystore.TenantName);
        tags.Add("outcome", observation.Succeeded ? "success" : "failure");
        if (observation.Error is { } error)
        {
            tags.Add("error.kind", error.Kind?.ToString() ?? "unexpected");
        }

        var seconds = observation.Latency.TotalSeconds;
        if (observation.Source == HealthObservationSource.Probe)
        {
            _probeDuration.Record(seconds, tags);
        }
        else
        {
            _operationDuration.Record(seconds, tags);
        }

        tags.Add("source", observation.Source == HealthObservationSource.Probe ? "probe" : "operation");
        _results.Add(1, tags);
    }

    public void Dispose() => Meter.Dispose();

    private static TagList KeystoreTags(Guid id, string name, string kind, string tenant) => new()
    {
        { "keystore.id", id.ToString() },
        { "keystore.name", name },
        { "keystore.kind", kind },
        { "tenant", tenant },
    };
}
