using Bunit;
using OpenKcm.Console.Components.Dashboard;
using OpenKcm.Core.Health;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Tests.Components.Dashboard;

public sealed class KeystoreTileTests : ConsoleTestContext
{
    private static string Metric(IRenderedComponent<KeystoreTile> cut, string term) =>
        cut.FindAll("dl.tile-metrics dt").Single(dt => dt.TextContent == term).NextElementSibling!.TextContent;

    [Fact]
    public void KeystoreTile_Healthy_ShowsStatusAndMetrics()
    {
        var health = KeystoreHealths.Healthy("vault-eu");

        var cut = Render<KeystoreTile>(p => p.Add(t => t.Health, health));

        Assert.Equal("vault-eu", cut.Find("h2").TextContent);
        Assert.Equal("vault-eu status: Healthy", cut.Find("[role=status]").GetAttribute("aria-label"));
        Assert.Contains("status-healthy", cut.Find("[role=status]").ClassList);
        Assert.Equal("11.5 ms", Metric(cut, "Average latency"));
        Assert.Equal("19 ms", Metric(cut, "p95 latency"));
        Assert.Equal("09:30:15 UTC", Metric(cut, "Last probe"));
        Assert.Equal("42 / 0", Metric(cut, "Successes / failures"));
        Assert.Empty(cut.FindAll(".tile-error"));
    }

    [Fact]
    public void KeystoreTile_CriticalWithError_ShowsTheErrorAsCurrent()
    {
        var health = KeystoreHealths.Healthy("vault-eu") with
        {
            Status = KeystoreHealthStatus.Critical,
            LastError = new KeystoreHealthError
            {
                Kind = KeystoreErrorKind.Unreachable,
                Message = "Connection refused by 127.0.0.1:8200.",
                At = KeystoreHealths.ProbedAt,
            },
        };

        var cut = Render<KeystoreTile>(p => p.Add(t => t.Health, health));

        Assert.Equal("Critical", cut.Find("[role=status]").TextContent.Trim());
        var error = cut.Find(".tile-error");
        Assert.DoesNotContain("tile-error-past", error.ClassList);
        Assert.Equal("Error", error.QuerySelector("strong")!.TextContent);
        Assert.Contains("Connection refused by 127.0.0.1:8200.", error.TextContent);
    }

    [Fact]
    public void KeystoreTile_RecoveredAfterError_ShowsItAsPast()
    {
        var health = KeystoreHealths.Healthy("vault-eu") with
        {
            LastError = new KeystoreHealthError { Kind = KeystoreErrorKind.TimedOut, Message = "Probe timed out.", At = KeystoreHealths.ProbedAt },
        };

        var cut = Render<KeystoreTile>(p => p.Add(t => t.Health, health));

        Assert.Contains("tile-error-past", cut.Find(".tile-error").ClassList);
        Assert.Equal("Last error", cut.Find(".tile-error strong").TextContent);
    }
}
