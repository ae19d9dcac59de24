using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Health;

/// <summary>
/// The monitor's mutable per-keystore record: counters and a rolling window of successful latencies. Not
/// thread-safe: <see cref="KeystoreHealthMonitor"/> touches it only under its lock.
/// </summary>
internal sealed class KeystoreHealthState(ActiveKeystore keystore, HealthThresholds thresholds)
{
    private readonly Queue<(DateTimeOffset At, TimeSpan Latency)> _window = new();
    private bool _hasResult;
    private TimeSpan? _lastLatency;
    private DateTimeOffset? _lastProbeAt;
    private KeystoreHealthError? _lastError;
    private int _consecutiveFailures;
    private long _successCount;
    private long _failureCount;
    private long _operationCount;

    public ActiveKeystore Keystore { get; set; } = keystore;

    public HealthThresholds Thresholds { get; set; } = thresholds;

    public KeystoreHealthStatus Status { get; private set; } = KeystoreHealthStatus.Unknown;

    /// <summary>What the monitor last published for this keystore; null before the first publish.</summary>
    public KeystoreHealth? LastPublished { get; set; }

    public void Apply(HealthObservation observation, HealthOptions options)
    {
        _hasResult = true;
        _lastLatency = observation.Latency;
        if (observation.Source == HealthObservationSource.Probe)
        {
            _lastProbeAt = observation.At;
        }
        else
        {
            _operationCount++;
        }

        if (observation.Error is { } error)
        {
            _failureCount++;
            _consecutiveFailures++;
            _lastError = error;
        }
        else
        {
            _successCount++;
            _consecutiveFailures = 0;

            // Only successes feed the latency window: a timed-out probe's "latency" is the timeout, and failures
            // are already judged by the consecutive-failure rule.
            _window.Enqueue((observation.At, observation.Latency));
            while (_window.Count > Math.Max(1, options.MaxLatencySamples))
            {
                _window.Dequeue();
            }
        }
    }

    public KeystoreHealth ToHealth(DateTimeOffset now, HealthOptions options)
    {
        var cutoff = now - options.LatencyWindow;
        while (_window.TryPeek(out var oldest) && oldest.At < cutoff)
        {
            _window.Dequeue();
        }

        TimeSpan? average = null;
        TimeSpan? p95 = null;
        if (_window.Count > 0)
        {
            var ticks = new long[_window.Count];
            var i = 0;
            foreach (var sample in _window)
            {
                ticks[i++] = sample.Latency.Ticks;
            }

            Array.Sort(ticks);
            average = TimeSpan.FromTicks((long)ticks.Average());
            p95 = TimeSpan.FromTicks(ticks[(int)Math.Ceiling(0.95 * ticks.Length) - 1]); // nearest rank
        }

        Status = Judge(average);
        return new KeystoreHealth
        {
            KeystoreId = Keystore.Id,
            TenantId = Keystore.TenantId,
            TenantName = Keystore.TenantName,
            Name = Keystore.Name,
            Kind = Keystore.Kind,
            Version = Keystore.Version,
            Status = Status,
            Thresholds = Thresholds,
            LastLatency = _lastLatency,
            AverageLatency = average,
            P95Latency = p95,
            LastProbeAt = _lastProbeAt,
            LastError = _lastError,
            ConsecutiveFailures = _consecutiveFailures,
            SuccessCount = _successCount,
            FailureCount = _failureCount,
            OperationCount = _operationCount,
        };
    }

    private KeystoreHealthStatus Judge(TimeSpan? average)
    {
        if (!_hasResult)
        {
            return KeystoreHealthStatus.Unknown;
        }

        if (_consecutiveFailures >= Math.Max(1, Thresholds.CriticalAfterConsecutiveFailures))
        {
            return KeystoreHealthStatus.Critical;
        }

        return _consecutiveFailures > 0 || average > Thresholds.WarningLatency
            ? KeystoreHealthStatus.Warning
            : KeystoreHealthStatus.Healthy;
    }
}
