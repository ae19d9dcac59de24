using System.Buffers;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Core.Health;

/// <summary>
/// The monitor's mutable per-keystore record: counters, the raw 1-minute latency samples and the bucketed 1-hour and
/// 24-hour windows. Not thread-safe: <see cref="KeystoreHealthMonitor"/> touches it only under its lock.
/// </summary>
/// <remarks>
/// Memory is bounded whatever the traffic: at most <see cref="HealthOptions.MaxLatencySamples"/> raw samples, 60
/// one-second count buckets, 60 one-minute and 96 fifteen-minute histogram buckets.
/// </remarks>
internal sealed class KeystoreHealthState(ActiveKeystore keystore, HealthThresholds thresholds)
{
    /// <summary>Width of the 1-hour window's buckets, which are also what the history stores.</summary>
    public static readonly TimeSpan MinuteBucket = TimeSpan.FromMinutes(1);

    private readonly Queue<(DateTimeOffset At, TimeSpan Latency)> _window = new();
    private readonly HealthBucketRing _lastMinute = new(TimeSpan.FromSeconds(1), 60, histogram: false);
    private readonly HealthBucketRing _lastHour = new(MinuteBucket, 60, histogram: true);
    private readonly HealthBucketRing _lastDay = new(TimeSpan.FromMinutes(15), 96, histogram: true);
    private bool _hasResult;
    private TimeSpan? _lastLatency;
    private DateTimeOffset? _lastProbeAt;
    private DateTimeOffset? _lastResultAt;
    private KeystoreHealthError? _lastError;
    private int _consecutiveFailures;
    private int _consecutiveSuccesses;
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
        if (_lastResultAt is null || observation.At > _lastResultAt)
        {
            _lastResultAt = observation.At;
        }

        if (observation.Source == HealthObservationSource.Probe)
        {
            _lastProbeAt = observation.At;
        }
        else
        {
            _operationCount++;
        }

        _lastMinute.Add(observation);
        _lastHour.Add(observation);
        _lastDay.Add(observation);
        if (observation.Error is { } error)
        {
            _failureCount++;
            _consecutiveFailures++;
            _consecutiveSuccesses = 0;
            _lastError = error;
        }
        else
        {
            _successCount++;
            _consecutiveFailures = 0;
            _consecutiveSuccesses++;

            // Only successes feed the latency window: a timed-out probe's "latency" is the timeout, and failures
            // are already judged by the consecutive-failure rule.
            _window.Enqueue((observation.At, observation.Latency));
            while (_window.Count > Math.Max(1, options.MaxLatencySamples))
            {
                _window.Dequeue();
            }
        }
    }

    /// <summary>Adds stored minute buckets into the 1-hour and 24-hour windows (after a restart); never marks them changed.</summary>
    public void Restore(IEnumerable<HealthBucketSnapshot> buckets, DateTimeOffset now)
    {
        foreach (var bucket in buckets)
        {
            _lastHour.Merge(bucket, now);
            _lastDay.Merge(bucket, now);
        }
    }

    /// <summary>The minute buckets changed since the last call, for the history writer.</summary>
    public List<HealthBucketSnapshot> TakeChangedMinutes() => _lastHour.TakeDirty(Keystore.Id);

    public KeystoreHealth ToHealth(DateTimeOffset now, HealthOptions options)
    {
        var cutoff = now - options.LatencyWindow;
        while (_window.TryPeek(out var oldest) && oldest.At < cutoff)
        {
            _window.Dequeue();
        }

        TimeSpan? average = null;
        TimeSpan? p95 = null;
        TimeSpan? p99 = null;
        if (_window.Count > 0)
        {
            // Pooled: this runs on every result, on the key-operation hot path.
            var count = _window.Count;
            var rented = ArrayPool<long>.Shared.Rent(count);
            try
            {
                var ticks = rented.AsSpan(0, count);
                var i = 0;
                long sum = 0; // at most MaxLatencySamples latencies: no overflow for any sane bound
                foreach (var sample in _window)
                {
                    ticks[i++] = sample.Latency.Ticks;
                    sum += sample.Latency.Ticks;
                }

                ticks.Sort();
                average = TimeSpan.FromTicks((long)(sum / count));
                p95 = TimeSpan.FromTicks(ticks[(int)Math.Ceiling(0.95 * count) - 1]); // nearest rank
                p99 = TimeSpan.FromTicks(ticks[(int)Math.Ceiling(0.99 * count) - 1]);
            }
            finally
            {
                ArrayPool<long>.Shared.Return(rented);
            }
        }

        // The 1-minute window: counts from one-second buckets, latencies exact from the raw samples.
        var minute = _lastMinute.Stats(now, HealthWindows.OneMinute) with
        {
            AverageLatency = average,
            P95Latency = p95,
            P99Latency = p99,
        };

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
            P99Latency = p99,
            Windows = new HealthWindows
            {
                LastMinute = minute,
                LastHour = _lastHour.Stats(now, HealthWindows.OneHour),
                LastDay = _lastDay.Stats(now, HealthWindows.OneDay),
            },
            LastProbeAt = _lastProbeAt,
            LastResultAt = _lastResultAt,
            LastError = _lastError,
            ConsecutiveFailures = _consecutiveFailures,
            ConsecutiveSuccesses = _consecutiveSuccesses,
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

        if (Thresholds.CriticalLatency is { } critical && average > critical)
        {
            return KeystoreHealthStatus.Critical;
        }

        return _consecutiveFailures > 0 || average > Thresholds.WarningLatency
            ? KeystoreHealthStatus.Warning
            : KeystoreHealthStatus.Healthy;
    }
}
