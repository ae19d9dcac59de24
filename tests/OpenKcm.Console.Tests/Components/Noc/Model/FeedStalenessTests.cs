using OpenKcm.Console.Components.Noc.Model;
using OpenKcm.Console.Tests.Components.Dashboard;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Tests.Components.Noc.Model;

public sealed class FeedStalenessTests
{
    private static readonly DateTimeOffset s_start = KeystoreHealths.ProbedAt;
    private static readonly KeystoreHealth[] s_one = [KeystoreHealths.Healthy("vault-eu")];

    [Fact]
    public void StaleSince_DefaultTenSecondProbes_StaleOnlyAfterTheThirtySecondMinimum()
    {
        var staleness = new FeedStaleness(TimeSpan.FromSeconds(10), s_start);

        Assert.Null(staleness.StaleSince(s_start.AddSeconds(30), s_one));
        Assert.Equal(s_start, staleness.StaleSince(s_start.AddSeconds(31), s_one));
    }

    [Fact]
    public void StaleSince_KeystoreProbedEveryMinute_WaitsThreeIntervals()
    {
        KeystoreHealth[] slow = [s_one[0] with { Thresholds = s_one[0].Thresholds with { ProbeInterval = TimeSpan.FromMinutes(1) } }];
        var staleness = new FeedStaleness(TimeSpan.FromSeconds(10), s_start);

        Assert.Equal(TimeSpan.FromMinutes(3), staleness.Threshold(slow));
        Assert.Null(staleness.StaleSince(s_start.AddMinutes(3), slow));
        Assert.Equal(s_start, staleness.StaleSince(s_start.AddMinutes(3).AddSeconds(1), slow));
    }

    [Fact]
    public void StaleSince_UpdateArrives_FreshAgainAndStaleSinceTheNewUpdate()
    {
        var staleness = new FeedStaleness(TimeSpan.FromSeconds(10), s_start);

        staleness.Updated(s_start.AddSeconds(40));

        Assert.Null(staleness.StaleSince(s_start.AddSeconds(41), s_one));
        Assert.Equal(s_start.AddSeconds(40), staleness.StaleSince(s_start.AddSeconds(71), s_one));
    }

    [Fact]
    public void StaleSince_NoKeystores_NeverStale()
    {
        var staleness = new FeedStaleness(TimeSpan.FromSeconds(10), s_start);

        Assert.Null(staleness.StaleSince(s_start.AddHours(1), []));
    }

    [Fact]
    public void Constructor_NonPositiveInterval_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new FeedStaleness(TimeSpan.Zero, s_start));
}
