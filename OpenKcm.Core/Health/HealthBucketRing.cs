namespace OpenKcm.Core.Health;

/// <summary>
/// A rolling window made of <c>count</c> fixed-width time buckets, aligned to multiples of the width, with running
/// totals so a window's statistics cost O(bins) whatever the traffic. Memory is fixed: <c>count</c> buckets, each
/// with <see cref="LatencyHistogram.BinCount"/> counters when histograms are kept. Not thread-safe (the monitor's lock).
/// </summary>
/// <remarks>
/// The window covers the buckets whose start lies in (now − count·width, now]: between (count−1)·width and
/// count·width of history, the current bucket being partial. A result older than what its slot now holds is dropped.
/// </remarks>
internal sealed class HealthBucketRing
{
    private readonly Bucket[] _buckets;
    private readonly long _widthTicks;
    private readonly bool _histogram;
    private readonly Bucket _total;

    public HealthBucketRing(TimeSpan width, int count, bool histogram)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(width, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _widthTicks = width.Ticks;
        _histogram = histogram;
        _buckets = new Bucket[count];
        for (var i = 0; i < count; i++)
        {
            _buckets[i] = new Bucket(histogram);
        }

        _total = new Bucket(histogram);
        Width = width;
    }

    public TimeSpan Width { get; }

    /// <summary>The window's nominal length (count × width).</summary>
    public TimeSpan Length => TimeSpan.FromTicks(_widthTicks * _buckets.Length);

    public void Add(HealthObservation observation)
    {
        var index = observation.At.UtcTicks / _widthTicks;
        var bucket = SlotFor(index);
        if (bucket is null)
        {
            return;
        }

        bucket.Add(observation);
        _total.Add(observation, trackError: false);
        bucket.Dirty = true;
    }

    /// <summary>Merges a stored bucket (restore after a restart); it must lie inside one of this ring's buckets.</summary>
    public void Merge(HealthBucketSnapshot snapshot, DateTimeOffset now)
    {
        var index = snapshot.Start.UtcTicks / _widthTicks;
        Expire(now.UtcTicks / _widthTicks);
        if (index <= (now.UtcTicks / _widthTicks) - _buckets.Length)
        {
            return;
        }

        var bucket = SlotFor(index);
        if (bucket is null)
        {
            return;
        }

        bucket.Merge(snapshot);
        _total.Merge(snapshot);
    }

    public HealthWindowStats Stats(DateTimeOffset now, TimeSpan window)
    {
        Expire(now.UtcTicks / _widthTicks);
        KeystoreHealthError? lastError = null;
        long max = 0;
        foreach (var bucket in _buckets)
        {
            if (bucket.Index < 0)
            {
                continue;
            }

            max = Math.Max(max, bucket.MaxLatencyTicks);
            if (bucket.LastError is { } error && (lastError is null || error.At > lastError.At))
            {
                lastError = error;
            }
        }

        var t = _total;
        var results = t.Successes + t.Failures;
        return new HealthWindowStats
        {
            Window = window,
            Operations = t.Operations,
            Probes = t.Probes,
            Successes = t.Successes,
            Failures = t.Failures,
            OperationsPerHour = t.Operations / window.TotalHours,
            SuccessRate = results > 0 ? (double)t.Successes / results : null,
            ErrorRate = results > 0 ? (double)t.Failures / results : null,
            AverageLatency = t.Successes > 0 ? TimeSpan.FromTicks(t.LatencySumTicks / t.Successes) : null,
            P95Latency = _histogram ? LatencyHistogram.Percentile(t.Bins, t.Successes, 0.95, TimeSpan.FromTicks(max)) : null,
            P99Latency = _histogram ? LatencyHistogram.Percentile(t.Bins, t.Successes, 0.99, TimeSpan.FromTicks(max)) : null,
            LastError = lastError,
        };
    }

    /// <summary>Copies of the buckets changed since the last call (oldest first) and clears their changed mark.</summary>
    public List<HealthBucketSnapshot> TakeDirty(Guid keystoreId)
    {
        var dirty = new List<HealthBucketSnapshot>();
        foreach (var bucket in _buckets.Where(b => b.Dirty && b.Index >= 0).OrderBy(b => b.Index))
        {
            bucket.Dirty = false;
            dirty.Add(bucket.ToSnapshot(keystoreId, _widthTicks));
        }

        return dirty;
    }

    private Bucket? SlotFor(long index)
    {
        var bucket = _buckets[(int)(index % _buckets.Length)];
        if (bucket.Index == index)
        {
            return bucket;
        }

        if (bucket.Index > index)
        {
            return null; // older than what the slot holds now: outside the window
        }

        if (bucket.Index >= 0)
        {
            _total.Subtract(bucket);
        }

        bucket.Reset(index);
        return bucket;
    }

    private void Expire(long nowIndex)
    {
        var oldestKept = nowIndex - _buckets.Length + 1;
        foreach (var bucket in _buckets)
        {
            if (bucket.Index >= 0 && bucket.Index < oldestKept)
            {
                _total.Subtract(bucket);
                bucket.Clear();
            }
        }
    }

    private sealed class Bucket(bool histogram)
    {
        public long Index { get; private set; } = -1;

        public long Probes { get; private set; }

        public long Operations { get; private set; }

        public long Successes { get; private set; }

        public long Failures { get; private set; }

        public long LatencySumTicks { get; private set; }

        public long MaxLatencyTicks { get; private set; }

        public long[] Bins { get; } = histogram ? new long[LatencyHistogram.BinCount] : [];

        public KeystoreHealthError? LastError { get; private set; }

        /// <summary>Changed since the history writer last took it.</summary>
        public bool Dirty { get; set; }

        public void Reset(long index)
        {
            Clear();
            Index = index;
        }

        public void Clear()
        {
            Index = -1;
            Probes = Operations = Successes = Failures = LatencySumTicks = MaxLatencyTicks = 0;
            Array.Clear(Bins);
            LastError = null;
            Dirty = false;
        }

        public void Add(HealthObservation observation, bool trackError = true)
        {
            if (observation.Source == HealthObservationSource.Probe)
            {
                Probes++;
            }
            else
            {
                Operations++;
            }

            if (observation.Error is { } error)
            {
                Failures++;
                if (trackError && (LastError is null || error.At >= LastError.At))
                {
                    LastError = error;
                }

                return;
            }

            Successes++;
            LatencySumTicks += observation.Latency.Ticks;
            MaxLatencyTicks = Math.Max(MaxLatencyTicks, observation.Latency.Ticks);
            if (Bins.Length > 0)
            {
                Bins[LatencyHistogram.BinOf(observation.Latency)]++;
            }
        }

        public void Merge(HealthBucketSnapshot s)
        {
            Probes += s.Probes;
            Operations += s.Operations;
            Successes += s.Successes;
            Failures += s.Failures;
            LatencySumTicks += s.LatencySumTicks;
            MaxLatencyTicks = Math.Max(MaxLatencyTicks, s.MaxLatencyTicks);
            for (var i = 0; i < Math.Min(Bins.Length, s.Bins.Length); i++)
            {
                Bins[i] += s.Bins[i];
            }

            if (s.LastError is { } error && (LastError is null || error.At > LastError.At))
            {
                LastError = error;
            }
        }

        public void Subtract(Bucket b)
        {
            Probes -= b.Probes;
            Operations -= b.Operations;
            Successes -= b.Successes;
            Failures -= b.Failures;
            LatencySumTicks -= b.LatencySumTicks;
            for (var i = 0; i < Bins.Length; i++)
            {
                Bins[i] -= b.Bins[i];
            }
        }

        public HealthBucketSnapshot ToSnapshot(Guid keystoreId, long widthTicks) => new()
        {
            KeystoreId = keystoreId,
            Start = new DateTimeOffset(Index * widthTicks, TimeSpan.Zero),
            Duration = TimeSpan.FromTicks(widthTicks),
            Probes = Probes,
            Operations = Operations,
            Successes = Successes,
            Failures = Failures,
            LatencySumTicks = LatencySumTicks,
            MaxLatencyTicks = MaxLatencyTicks,
            Bins = Bins.Length > 0 ? (long[])Bins.Clone() : new long[LatencyHistogram.BinCount],
            LastError = LastError,
        };
    }
}
