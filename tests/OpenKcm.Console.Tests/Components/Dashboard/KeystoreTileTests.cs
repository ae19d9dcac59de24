using System.Collections.Immutable;
using Bunit;
using OpenKcm.Console.Components.Dashboard;
using OpenKcm.Console.Components.Dashboard.Model;
using OpenKcm.Core.Health;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Console.Tests.Components.Dashboard;

public sealed class KeystoreTileTests : ConsoleTestContext
{
    private static string Metric(IRenderedComponent<KeystoreTile> cut, string term) =>
        cut.FindAll("dl.tile-metrics dt").Single(dt => dt.TextContent == term).NextElementSibling!.TextContent;

    [Fact]
    public void KeystoreTile_Healthy_ShowsStatusAverageLatencyAndTheHourWindowByDefault()
    {
        var health = KeystoreHealths.Healthy("vault-eu");

        var cut = Render<KeystoreTile>(p => p.Add(t => t.Health, health));

        Assert.Equal("vault-eu", cut.Find("h2").TextContent);
        Assert.Equal("vault-eu status: Healthy", cut.Find("[role=status]").GetAttribute("aria-label"));
        Assert.Contains("status-healthy", cut.Find("[role=status]").ClassList);
        Assert.Contains("11.5 ms avg latency", cut.Find(".hint").TextContent);
        Assert.Equal("vault-eu metrics over 1 h", cut.Find("dl.tile-metrics").GetAttribute("aria-label"));
        Assert.Equal("2,450", Metric(cut, "Operations per hour"));
        Assert.Equal("99.8 %", Metric(cut, "Success rate"));
        Assert.Equal("0.2 %", Metric(cut, "Error rate"));
        Assert.Equal("2.1 ms", Metric(cut, "Average latency"));
        Assert.Equal("4.5 ms", Metric(cut, "p95 latency"));
        Assert.Equal("9 ms", Metric(cut, "p99 latency"));
        Assert.Equal("2806 / 6", Metric(cut, "Successes / failures"));
        Assert.Equal("09:30:15 UTC", Metric(cut, "Last probe"));
        Assert.Empty(cut.FindAll(".tile-error"));
        Assert.Empty(cut.FindAll(".tile-failover"));
    }

    [Theory]
    [InlineData(MetricsWindow.OneMinute, "1 min", "2,400", "11.5 ms", "23 ms", "100 %")]
    [InlineData(MetricsWindow.OneDay, "24 h", "2,125", "3.4 ms", "15.2 ms", "99.8 %")]
    public void KeystoreTile_ChosenWindow_ShowsThatWindowsMetrics(
        MetricsWindow window, string label, string perHour, string average, string p99, string successRate)
    {
        var health = KeystoreHealths.Healthy("vault-eu");

        var cut = Render<KeystoreTile>(p => p.Add(t => t.Health, health).Add(t => t.Window, window));

        Assert.Equal($"vault-eu metrics over {label}", cut.Find("dl.tile-metrics").GetAttribute("aria-label"));
        Assert.Equal(perHour, Metric(cut, "Operations per hour"));
        Assert.Equal(average, Metric(cut, "Average latency"));
        Assert.Equal(p99, Metric(cut, "p99 latency"));
        Assert.Equal(successRate, Metric(cut, "Success rate"));
    }

    [Fact]
    public void KeystoreTile_EmptyWindow_ShowsDashesNotZeroRates()
    {
        var health = KeystoreHealths.Healthy("fresh") with { Windows = HealthWindows.Empty, AverageLatency = null };

        var cut = Render<KeystoreTile>(p => p.Add(t => t.Health, health));

        Assert.Equal("0", Metric(cut, "Operations per hour"));
        Assert.Equal("—", Metric(cut, "Success rate"));
        Assert.Equal("—", Metric(cut, "Error rate"));
        Assert.Equal("—", Metric(cut, "p95 latency"));
        Assert.Contains("— avg latency", cut.Find(".hint").TextContent);
    }

    [Fact]
    public void KeystoreTile_CriticalWithError_ShowsTheErrorAsCurrent()
    {
        var health = KeystoreHealths.Healthy("vault-eu") with
        {
            Status = KeystoreHealthStatus.Critical,
            LastError = KeystoreHealths.Error("Connection refused by 127.0.0.1:8200."),
        };

        var cut = Render<KeystoreTile>(p => p.Add(t => t.Health, health));

        Assert.Equal("Critical", cut.Find("[role=status]").TextContent.Trim());
        var error = cut.Find(".tile-error");
        Assert.DoesNotContain("tile-error-past", error.ClassList);
        Assert.Equal("Error", error.QuerySelector("strong")!.TextContent);
        Assert.Contains("(09:30:15 UTC): Connection refused by 127.0.0.1:8200.", error.TextContent);
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

    [Fact]
    public void KeystoreTile_PrimaryOnStandby_NamesItsBackup()
    {
        var backup = KeystoreHealths.Healthy("vault-dr");
        var primary = KeystoreHealths.Healthy("vault-eu") with { Failover = KeystoreHealths.BackupIs(backup) };

        var cut = Render<KeystoreTile>(p => p.Add(t => t.Health, primary));

        Assert.Equal("Backup: vault-dr", cut.Find(".tile-failover").TextContent.Trim());
        Assert.Empty(cut.FindAll(".tile-failover-active"));
    }

    [Fact]
    public void KeystoreTile_PrimaryFailedOver_SaysItServesFromTheBackupSinceWhenAndWhy()
    {
        var backup = KeystoreHealths.Healthy("vault-dr");
        var primary = KeystoreHealths.Healthy("vault-eu") with
        {
            Status = KeystoreHealthStatus.Critical,
            Failover = KeystoreHealths.BackupIs(backup, failedOver: true),
        };

        var cut = Render<KeystoreTile>(p => p.Add(t => t.Health, primary));

        var text = string.Join(' ', cut.Find(".tile-failover-active").TextContent.Split(default(char[]), StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("Serving from backup vault-dr since 09:30:15 UTC · Primary critical after 3 failed probes.", text);
    }

    [Fact]
    public void KeystoreTile_BackupUnavailable_SaysWhy()
    {
        var backup = KeystoreHealths.Healthy("vault-dr");
        var primary = KeystoreHealths.Healthy("vault-eu") with
        {
            Failover = KeystoreHealths.BackupIs(backup) with { BackupAvailable = false, BackupUnavailableReason = "vault-dr is Critical." },
        };

        var cut = Render<KeystoreTile>(p => p.Add(t => t.Health, primary));

        Assert.Equal("Backup unavailable: vault-dr is Critical.", cut.Find(".tile-failover-unavailable").TextContent.Trim());
    }

    [Fact]
    public void KeystoreTile_BackupOfAFailedOverPrimary_SaysWhomItServes()
    {
        var backup = KeystoreHealths.Healthy("vault-dr");
        var failedOver = KeystoreHealths.Healthy("vault-eu") with { Failover = KeystoreHealths.BackupIs(backup, failedOver: true) };
        var standby = KeystoreHealths.Healthy("vault-us") with { Failover = KeystoreHealths.BackupIs(backup) };

        var cut = Render<KeystoreTile>(p => p.Add(t => t.Health, backup).Add(t => t.Primaries, ImmutableArray.Create(failedOver, standby)));

        Assert.Equal("Backup for vault-eu, vault-us · now serving vault-eu", cut.Find(".tile-failover").TextContent.Trim());
    }

    [Fact]
    public void KeystoreTile_WarningFromLatencyAfterAnEarlierOutage_ShowsTheOldErrorAsPast()
    {
        var health = KeystoreHealths.Healthy("vault-eu") with
        {
            Status = KeystoreHealthStatus.Warning,
            ConsecutiveFailures = 0,
            LastError = KeystoreHealths.Error("Connection refused by 127.0.0.1:8200."),
        };

        var cut = Render<KeystoreTile>(p => p.Add(t => t.Health, health));

        Assert.Contains("tile-error-past", cut.Find(".tile-error").ClassList);
        Assert.Equal("Last error", cut.Find(".tile-error strong").TextContent);
    }

    [Fact]
    public void KeystoreTile_WarningWhileProbesFail_ShowsTheErrorAsCurrent()
    {
        var health = KeystoreHealths.Healthy("vault-eu") with
        {
            Status = KeystoreHealthStatus.Warning,
            ConsecutiveFailures = 1,
            LastError = KeystoreHealths.Error("Connection refused by 127.0.0.1:8200."),
        };

        var cut = Render<KeystoreTile>(p => p.Add(t => t.Health, health));

        Assert.Equal("Error", cut.Find(".tile-error strong").TextContent);
    }
}
