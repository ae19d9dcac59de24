using OpenKcm.Core.Health;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tests.Operations;

namespace OpenKcm.Core.Tests.Health;

/// <summary>The rolling windows and status rules of one keystore's state, on explicit timestamps.</summary>
public sealed class HealthWindowsTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly HealthOptions s_options = new();
    private static readonly HealthThresholds s_thresholds = new()
    {
        WarningLatency = TimeSpan.FromMilliseconds(50),
        CriticalLatency = TimeSpan.FromMilliseconds(200),
        CriticalAfterConsecutiveFailures = 3,
    };

    [Fact]
    public void ToHealth_MixedResults_FillsAllThreeWindows()
    {
        var state = NewState();
        for (var i = 0; i < 30; i++)
        {
            state.Apply(Op(s_t0.AddSeconds(i), 10), s_options);
        }

        state.Apply(Probe(s_t0.AddSeconds(31), 20), s_options);
        state.Apply(Fail(s_t0.AddSeconds(32), "boom"), s_options);

        var health = state.ToHealth(s_t0.AddSeconds(33), s_options);

        var minute = health.Windows.LastMinute;
        Assert.Equal((30L, 2L, 31L, 1L), (minute.Operations, minute.Probes, minute.Successes, minute.Failures));
        Assert.Equal(30 * 60, minute.OperationsPerHour);
        Assert.Equal(31.0 / 32, minute.SuccessRate);
        Assert.Equal(1.0 / 32, minute.ErrorRate);
        Assert.Equal("boom", minute.LastError?.Message);
        Assert.Equal(health.AverageLatency, minute.AverageLatency);
        var hour = health.Windows.LastHour;
        Assert.Equal((30L, 2L, 31L, 1L), (hour.Operations, hour.Probes, hour.Successes, hour.Failures));
        Assert.Equal(30.0, hour.OperationsPerHour);
        Assert.Equal("boom", hour.LastError?.Message);
        Assert.Equal(30.0 / 24, health.Windows.LastDay.OperationsPerHour, 6);
        Assert.Equal(s_t0.AddSeconds(32), health.LastResultAt);
        Assert.Equal(s_t0.AddSeconds(32), health.LastProbeAt); // the failure was a probe too
        Assert.Equal(0, health.ConsecutiveSuccesses);
        Assert.Equal(1, health.ConsecutiveFailures);
    }

    [Fact]
    public void ToHealth_OldResults_LeaveEachWindowWhenItPasses()
    {
        var state = NewState();
        state.Apply(Op(s_t0, 10), s_options);

        var after2Min = state.ToHealth(s_t0.AddMinutes(2), s_options);
        var after2Hours = state.ToHealth(s_t0.AddHours(2), s_options);
        var after25Hours = state.ToHealth(s_t0.AddHours(25), s_options);

        Assert.Equal(0, after2Min.Windows.LastMinute.Operations);
        Assert.Null(after2Min.Windows.LastMinute.SuccessRate);
        Assert.Null(after2Min.AverageLatency);
        Assert.Equal(1, after2Min.Windows.LastHour.Operations);
        Assert.Equal(0, after2Hours.Windows.LastHour.Operations);
        Assert.Equal(1, after2Hours.Windows.LastDay.Operations);
        Assert.Equal(0, after25Hours.Windows.LastDay.Operations);
        Assert.Null(after25Hours.Windows.LastDay.AverageLatency);
    }

    [Fact]
    public void ToHealth_OneMinuteWindow_ExactNearestRankPercentiles()
    {
        var state = NewState();
        for (var ms = 1; ms <= 100; ms++)
        {
            state.Apply(Op(s_t0, ms), s_options);
        }

        var health = state.ToHealth(s_t0, s_options);

        Assert.Equal(TimeSpan.FromMilliseconds(95), health.P95Latency);
        Assert.Equal(TimeSpan.FromMilliseconds(99), health.P99Latency);
        Assert.Equal(health.P99Latency, health.Windows.LastMinute.P99Latency);
        Assert.Equal(TimeSpan.FromMilliseconds(50.5), health.AverageLatency);
    }

    [Fact]
    public void ToHealth_LongWindows_PercentilesWithinTheHistogramError()
    {
        var state = NewState();
        var random = new Random(42);
        var samples = new List<double>();
        for (var i = 0; i < 5000; i++)
        {
            var ms = 1 + (random.NextDouble() * random.NextDouble() * 400);
            samples.Add(ms);
            state.Apply(Op(s_t0.AddSeconds(i % 3000), ms), s_options);
        }

        samples.Sort();
        var p95 = samples[(int)Math.Ceiling(0.95 * samples.Count) - 1];
        var p99 = samples[(int)Math.Ceiling(0.99 * samples.Count) - 1];
        var health = state.ToHealth(s_t0.AddSeconds(3000), s_options);

        var tolerance = LatencyHistogram.RelativeError + 1e-9;
        foreach (var window in new[] { health.Windows.LastHour, health.Windows.LastDay })
        {
            Assert.InRange(window.P95Latency!.Value.TotalMilliseconds, p95 * (1 - tolerance), p95 * (1 + tolerance));
            Assert.InRange(window.P99Latency!.Value.TotalMilliseconds, p99 * (1 - tolerance), p99 * (1 + tolerance));
            Assert.Equal(samples.Average(), window.AverageLatency!.Value.TotalMilliseconds, 2);
        }
    }

    [Fact]
    public void Apply_HeavyTraffic_RawSamplesStayBounded()
    {
        var options = new HealthOptions { MaxLatencySamples = 16 };
        var state = NewState();
        for (var i = 0; i < 100_000; i++)
        {
            state.Apply(Op(s_t0.AddMilliseconds(i / 10), i < 99_984 ? 1 : 30), options);
        }

        var health = state.ToHealth(s_t0.AddSeconds(10), options);

        // Only the newest 16 samples (all 30 ms) remain for the exact 1-minute latencies; the counts still see all.
        Assert.Equal(TimeSpan.FromMilliseconds(30), health.AverageLatency);
        Assert.Equal(100_000, health.Windows.LastMinute.Operations);
        Assert.Equal(100_000, health.Windows.LastHour.Operations);
    }

    [Theory]
    [InlineData(40, KeystoreHealthStatus.Healthy)]
    [InlineData(60, KeystoreHealthStatus.Warning)]
    [InlineData(250, KeystoreHealthStatus.Critical)]
    public void ToHealth_AverageLatency_JudgedAgainstWarningAndCritical(double ms, KeystoreHealthStatus expected)
    {
        var state = NewState();
        state.Apply(Probe(s_t0, ms), s_options);

        Assert.Equal(expected, state.ToHealth(s_t0, s_options).Status);
    }

    [Fact]
    public void ToHealth_NoCriticalLatency_SlowStaysWarning()
    {
        var state = new KeystoreHealthState(TestKeystores.Create("k"), s_thresholds with { CriticalLatency = null });
        state.Apply(Probe(s_t0, 5000), s_options);

        Assert.Equal(KeystoreHealthStatus.Warning, state.ToHealth(s_t0, s_options).Status);
    }

    [Fact]
    public void Apply_ConsecutiveCounts_ResetEachOther()
    {
        var state = NewState();
        state.Apply(Fail(s_t0, "a"), s_options);
        state.Apply(Fail(s_t0, "b"), s_options);
        state.Apply(Probe(s_t0, 1), s_options);
        state.Apply(Probe(s_t0, 1), s_options);
        var health = state.ToHealth(s_t0, s_options);

        Assert.Equal((2, 0), (health.ConsecutiveSuccesses, health.ConsecutiveFailures));
        Assert.Equal("b", health.LastError?.Message);
    }

    [Fact]
    public void Restore_StoredMinutes_CountInLongWindowsOnlyAndAreNotRewritten()
    {
        var source = NewState();
        source.Apply(Op(s_t0, 10), s_options);
        source.Apply(Op(s_t0.AddMinutes(5), 30), s_options);
        var stored = source.TakeChangedMinutes();
        var restored = NewState();

        restored.Restore(stored, s_t0.AddMinutes(10));
        var health = restored.ToHealth(s_t0.AddMinutes(10), s_options);

        Assert.Equal(2, stored.Count);
        Assert.Equal(KeystoreHealthStatus.Unknown, health.Status);
        Assert.Equal(2, health.Windows.LastHour.Operations);
        Assert.Equal(2, health.Windows.LastDay.Operations);
        Assert.Equal(TimeSpan.FromMilliseconds(20), health.Windows.LastHour.AverageLatency);
        Assert.Equal(0, health.Windows.LastMinute.Operations);
        Assert.Empty(restored.TakeChangedMinutes());
        Assert.Empty(source.TakeChangedMinutes());
    }

    [Fact]
    public void LatencyHistogram_EncodeDecode_RoundTrips()
    {
        var bins = new long[LatencyHistogram.BinCount];
        bins[0] = 3;
        bins[LatencyHistogram.BinOf(TimeSpan.FromMilliseconds(45))] = 7;
        bins[^1] = 1;
        var decoded = new long[LatencyHistogram.BinCount];

        LatencyHistogram.DecodeInto(LatencyHistogram.Encode(bins), decoded);

        Assert.Equal(bins, decoded);
        Assert.Equal(LatencyHistogram.BinCount - 1, LatencyHistogram.BinOf(TimeSpan.FromHours(2)));
        Assert.Equal(0, LatencyHistogram.BinOf(TimeSpan.Zero));
    }

    private static KeystoreHealthState NewState() => new(TestKeystores.Create("k"), s_thresholds);

    private static HealthObservation Op(DateTimeOffset at, double ms) =>
        HealthObservation.Success(HealthObservationSource.Operation, at, TimeSpan.FromMilliseconds(ms));

    private static HealthObservation Probe(DateTimeOffset at, double ms) =>
        HealthObservation.Success(HealthObservationSource.Probe, at, TimeSpan.FromMilliseconds(ms));

    private static HealthObservation Fail(DateTimeOffset at, string message) => HealthObservation.Failure(
        HealthObservationSource.Probe, at, TimeSpan.FromMilliseconds(5),
        new KeystoreHealthError { Kind = KeystoreErrorKind.Unreachable, Message = message, At = at });
}
