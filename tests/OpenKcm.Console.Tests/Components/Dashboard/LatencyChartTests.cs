using System.Collections.Immutable;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpenKcm.Console.Components.Dashboard;
using OpenKcm.Core.Health;
using OpenKcm.Tests.Shared;

namespace OpenKcm.Console.Tests.Components.Dashboard;

public sealed class LatencyChartTests : ConsoleTestContext
{
    private static readonly DateTimeOffset s_now = KeystoreHealths.ProbedAt.AddSeconds(45);

    private readonly ManualTimeProvider _time = new(s_now);

    public LatencyChartTests()
    {
        Services.AddSingleton<TimeProvider>(_time);
    }

    private static HealthSample Sample(KeystoreHealth keystore, TimeSpan ago, double averageMs) => new()
    {
        KeystoreId = keystore.KeystoreId,
        Start = s_now - ago,
        Duration = TimeSpan.FromMinutes(1),
        Successes = 6,
        Failures = 0,
        Operations = 2,
        AverageLatency = TimeSpan.FromMilliseconds(averageMs),
        P95Latency = TimeSpan.FromMilliseconds(averageMs * 2),
        MaxLatency = TimeSpan.FromMilliseconds(averageMs * 3),
    };

    private static string Summary(IRenderedComponent<LatencyChart> cut) =>
        cut.Find("[aria-label='Latency history summary']").TextContent;

    [Fact]
    public void LatencyChart_NoHistoryStoreRegistered_SaysSoAndChartsLivePoints()
    {
        var vault = KeystoreHealths.Healthy("vault-eu");

        var cut = Render<LatencyChart>(p => p.Add(c => c.Keystores, [vault]));

        Assert.Contains("No stored history yet", cut.Find("p.hint").TextContent);
        Assert.Equal("vault-eu, last 1 h: 0 stored buckets, 1 live point; latest average 11.5 ms.", Summary(cut));
        Assert.NotEmpty(cut.FindAll("svg path"));
    }

    [Fact]
    public void LatencyChart_StoredHistory_QueriesTheChosenRangeAndPlotsIt()
    {
        var vault = KeystoreHealths.Healthy("vault-eu");
        var history = new FakeHealthHistory();
        history.Samples.AddRange([Sample(vault, TimeSpan.FromMinutes(50), 9), Sample(vault, TimeSpan.FromMinutes(10), 14), Sample(vault, TimeSpan.FromHours(3), 30)]);
        Services.AddSingleton<IHealthHistory>(history);

        var cut = Render<LatencyChart>(p => p.Add(c => c.Keystores, [vault]));

        cut.WaitForAssertion(() => Assert.StartsWith("vault-eu, last 1 h: 2 stored buckets", Summary(cut)));
        Assert.Equal((vault.KeystoreId, s_now.AddHours(-1), s_now), Assert.Single(history.Queries));
        Assert.DoesNotContain(cut.FindAll("p.hint"), p => p.TextContent.Contains("No stored history", StringComparison.Ordinal));

        cut.FindAll("select")[1].Change("OneDay");

        cut.WaitForAssertion(() => Assert.StartsWith("vault-eu, last 24 h: 3 stored buckets", Summary(cut)));
        Assert.Equal((vault.KeystoreId, s_now.AddDays(-1), s_now), history.Queries.Last());
    }

    [Fact]
    public void LatencyChart_AnotherKeystoreChosen_QueriesItsHistory()
    {
        var eu = KeystoreHealths.Healthy("vault-eu");
        var us = KeystoreHealths.Healthy("vault-us");
        var history = new FakeHealthHistory();
        history.Samples.Add(Sample(us, TimeSpan.FromMinutes(5), 20));
        Services.AddSingleton<IHealthHistory>(history);
        var cut = Render<LatencyChart>(p => p.Add(c => c.Keystores, [eu, us]));
        cut.WaitForAssertion(() => Assert.StartsWith("vault-eu, last 1 h: 0 stored buckets", Summary(cut)));

        cut.FindAll("select")[0].Change(us.KeystoreId.ToString());

        cut.WaitForAssertion(() => Assert.Equal("vault-us, last 1 h: 1 stored bucket, 1 live point; latest average 11.5 ms.", Summary(cut)));
        Assert.Equal(us.KeystoreId, history.Queries.Last().KeystoreId);
    }

    [Fact]
    public void LatencyChart_HistoryFails_SaysSoAndKeepsLivePoints()
    {
        var vault = KeystoreHealths.Healthy("vault-eu");
        Services.AddSingleton<IHealthHistory>(new FakeHealthHistory { Failure = new InvalidOperationException("database is locked") });

        var cut = Render<LatencyChart>(p => p.Add(c => c.Keystores, [vault]));

        cut.WaitForAssertion(() => Assert.Contains("could not be read", cut.Find("[role=alert]").TextContent));
        Assert.DoesNotContain("database is locked", cut.Markup);
        Assert.Contains("1 live point", Summary(cut));
    }

    [Fact]
    public void LatencyChart_NewerResultOfTheChartedKeystore_AddsALivePoint()
    {
        var vault = KeystoreHealths.Healthy("vault-eu");
        var cut = Render<LatencyChart>(p => p.Add(c => c.Keystores, [vault]));

        cut.Render(p => p.Add(c => c.Keystores, ImmutableArray.Create(vault with
        {
            AverageLatency = TimeSpan.FromMilliseconds(48.2),
            LastResultAt = KeystoreHealths.ProbedAt.AddSeconds(10),
        })));

        Assert.Equal("vault-eu, last 1 h: 0 stored buckets, 2 live points; latest average 48.2 ms.", Summary(cut));
    }
}
