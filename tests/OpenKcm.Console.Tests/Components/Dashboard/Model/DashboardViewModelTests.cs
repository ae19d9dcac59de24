using OpenKcm.Console.Components.Dashboard.Model;
using OpenKcm.Core.Health;

namespace OpenKcm.Console.Tests.Components.Dashboard.Model;

public sealed class DashboardViewModelTests
{
    [Fact]
    public void PrimariesOf_BackupNamedByTwoPrimaries_ListsBothAndNothingForOthers()
    {
        var backup = KeystoreHealths.Healthy("vault-dr");
        var eu = KeystoreHealths.Healthy("vault-eu") with { Failover = KeystoreHealths.BackupIs(backup) };
        var us = KeystoreHealths.Healthy("vault-us") with { Failover = KeystoreHealths.BackupIs(backup, failedOver: true) };
        var model = new DashboardViewModel();

        model.Load([backup, eu, us]);

        Assert.Equal(["vault-eu", "vault-us"], model.PrimariesOf(backup.KeystoreId).Select(p => p.Name));
        Assert.Empty(model.PrimariesOf(eu.KeystoreId));
        Assert.Equal(1, model.FailedOverCount);
    }

    [Fact]
    public void PrimariesOf_PrimaryDropsItsBackup_IsUpdatedByTheChange()
    {
        var backup = KeystoreHealths.Healthy("vault-dr");
        var eu = KeystoreHealths.Healthy("vault-eu") with { Failover = KeystoreHealths.BackupIs(backup) };
        var model = new DashboardViewModel();
        model.Load([backup, eu]);

        var changed = model.Apply([KeystoreHealthChange.Upserted(eu with { Failover = null })]);

        Assert.True(changed);
        Assert.Empty(model.PrimariesOf(backup.KeystoreId));
    }

    [Fact]
    public void Apply_RemovalOfUnknownKeystore_ReportsNoChange()
    {
        var model = new DashboardViewModel();
        model.Load([KeystoreHealths.Healthy("vault-eu")]);

        Assert.False(model.Apply([KeystoreHealthChange.Removed(Guid.NewGuid())]));
    }

    [Fact]
    public void LatestCritical_TwoCritical_IsTheOneWithTheNewestError()
    {
        var older = KeystoreHealths.Healthy("luna-dc1") with
        {
            Status = KeystoreHealthStatus.Critical,
            LastError = KeystoreHealths.Error("HSM unreachable.", KeystoreHealths.ProbedAt.AddMinutes(-5)),
        };
        var newer = KeystoreHealths.Healthy("vault-eu") with
        {
            Status = KeystoreHealthStatus.Critical,
            LastError = KeystoreHealths.Error("Connection refused."),
        };
        var model = new DashboardViewModel();

        model.Load([older, newer, KeystoreHealths.Healthy("aws")]);

        Assert.Equal("vault-eu", model.LatestCritical?.Name);
    }

    [Fact]
    public void LatestCritical_NoneCritical_IsNull()
    {
        var model = new DashboardViewModel();

        model.Load([KeystoreHealths.Healthy("vault-eu") with { Status = KeystoreHealthStatus.Warning }]);

        Assert.Null(model.LatestCritical);
    }

    [Fact]
    public void VisibleTiles_TenantAndStatusFilters_ShowOnlyMatchingTiles()
    {
        var model = new DashboardViewModel();
        model.Load([
            KeystoreHealths.Healthy("a", tenant: "acme"),
            KeystoreHealths.Healthy("b", tenant: "acme") with { Status = KeystoreHealthStatus.Critical },
            KeystoreHealths.Healthy("c", tenant: "globex") with { Status = KeystoreHealthStatus.Critical },
        ]);

        model.TenantFilter = "acme";
        Assert.Equal(["a", "b"], model.VisibleTiles.Select(t => t.Name));

        model.StatusFilter = KeystoreHealthStatus.Critical;
        Assert.Equal(["b"], model.VisibleTiles.Select(t => t.Name));

        model.TenantFilter = null;
        Assert.Equal(["b", "c"], model.VisibleTiles.Select(t => t.Name));
        Assert.Equal(["acme", "globex"], model.Tenants);
    }

    [Theory]
    [InlineData(0.998, "99.8 %")]
    [InlineData(1.0, "100 %")]
    [InlineData(0.0, "0 %")]
    [InlineData(null, "—")]
    public void Percent_Rate_IsFormattedAsPercentage(double? rate, string expected) =>
        Assert.Equal(expected, DashboardViewModel.Percent(rate));

    [Theory]
    [InlineData(2450.4, "2,450")]
    [InlineData(0.4, "0")]
    [InlineData(1234567.0, "1,234,567")]
    public void PerHour_Rate_IsRoundedWithSeparators(double perHour, string expected) =>
        Assert.Equal(expected, DashboardViewModel.PerHour(perHour));
}
