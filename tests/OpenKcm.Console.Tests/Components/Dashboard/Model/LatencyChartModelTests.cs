using OpenKcm.Console.Components.Dashboard.Model;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Tests.Components.Dashboard.Model;

public sealed class LatencyChartModelTests
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    private static HealthSample Sample(Guid keystoreId, int minute, double? averageMs, double? p95Ms) => new()
    {
        KeystoreId = keystoreId,
        Start = s_start.AddMinutes(minute),
        Duration = TimeSpan.FromMinutes(1),
        Successes = 6,
        Failures = averageMs is null ? 6 : 0,
        Operations = 0,
        AverageLatency = averageMs is { } a ? TimeSpan.FromMilliseconds(a) : null,
        P95Latency = p95Ms is { } p ? TimeSpan.FromMilliseconds(p) : null,
    };

    [Fact]
    public void SetStored_Samples_ArePlottedAtBucketMiddlesOldestFirstSkippingBucketsWithoutLatency()
    {
        var id = Guid.NewGuid();
        var model = new LatencyChartModel();
        model.Select(id);

        model.SetStored([Sample(id, 2, 12, 20), Sample(id, 0, 10, 15), Sample(id, 1, null, null), Sample(Guid.NewGuid(), 3, 99, 99)]);

        Assert.Equal(3, model.StoredCount);
        Assert.Equal(
            [new LatencyPoint(s_start.AddSeconds(30).UtcDateTime, 10), new LatencyPoint(s_start.AddMinutes(2).AddSeconds(30).UtcDateTime, 12)],
            model.StoredAverage);
        Assert.Equal([15.0, 20.0], model.StoredP95.Select(p => p.Milliseconds));
    }

    [Fact]
    public void AddLive_NewerResultsOfTheChartedKeystore_AddPointsAndIgnoreRepeatsAndOthers()
    {
        var health = KeystoreHealths.Healthy("vault-eu");
        var model = new LatencyChartModel();
        model.Select(health.KeystoreId);

        Assert.True(model.AddLive(health));
        Assert.False(model.AddLive(health));
        Assert.False(model.AddLive(KeystoreHealths.Healthy("other")));
        Assert.False(model.AddLive(health with { AverageLatency = null, LastResultAt = KeystoreHealths.ProbedAt.AddSeconds(5) }));
        Assert.True(model.AddLive(health with { AverageLatency = TimeSpan.FromMilliseconds(40), LastResultAt = KeystoreHealths.ProbedAt.AddSeconds(10) }));

        Assert.Equal([11.5, 40.0], model.Live.Select(p => p.Milliseconds));
    }

    [Fact]
    public void Select_AnotherKeystore_ClearsStoredAndLivePoints()
    {
        var health = KeystoreHealths.Healthy("vault-eu");
        var model = new LatencyChartModel();
        model.Select(health.KeystoreId);
        model.AddLive(health);
        model.SetStored([Sample(health.KeystoreId, 0, 10, 15)]);

        model.Select(Guid.NewGuid());

        Assert.Empty(model.Live);
        Assert.Equal(0, model.StoredCount);
    }

    [Fact]
    public void TrimLive_PointsOlderThanTheRange_AreDropped()
    {
        var health = KeystoreHealths.Healthy("vault-eu");
        var model = new LatencyChartModel();
        model.Select(health.KeystoreId);
        model.SetRange(ChartRange.FifteenMinutes);
        model.AddLive(health);
        model.AddLive(health with { LastResultAt = KeystoreHealths.ProbedAt.AddMinutes(10) });

        model.TrimLive(KeystoreHealths.ProbedAt.AddMinutes(20));

        Assert.Equal([KeystoreHealths.ProbedAt.AddMinutes(10).UtcDateTime], model.Live.Select(p => p.Time));
    }

    [Fact]
    public void AddLive_ManyPoints_KeepsOnlyTheNewest()
    {
        var health = KeystoreHealths.Healthy("vault-eu");
        var model = new LatencyChartModel();
        model.Select(health.KeystoreId);

        for (var i = 0; i < LatencyChartModel.MaxLivePoints + 10; i++)
        {
            model.AddLive(health with { LastResultAt = KeystoreHealths.ProbedAt.AddSeconds(i) });
        }

        Assert.Equal(LatencyChartModel.MaxLivePoints, model.Live.Count);
        Assert.Equal(KeystoreHealths.ProbedAt.AddSeconds(10).UtcDateTime, model.Live[0].Time);
    }
}
