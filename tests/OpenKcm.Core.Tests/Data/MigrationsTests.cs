using Microsoft.EntityFrameworkCore;
using OpenKcm.Core.Tests.TestSupport;
using OpenKcm.Tests.Shared;

namespace OpenKcm.Core.Tests.Data;

public sealed class MigrationsTests : IDisposable
{
    private readonly string _directory = CoreTestContext.NewDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task MigrateAsync_EmptyDatabase_CreatesExactlyTheModelSchema()
    {
        var migrated = Path.Combine(_directory, "migrated.db");
        var created = Path.Combine(_directory, "created.db");
        await using (var db = new SqliteContextFactory($"Data Source={migrated};Pooling=False").CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        await using (var db = new SqliteContextFactory($"Data Source={created};Pooling=False").CreateDbContext())
        {
            await db.Database.EnsureCreatedAsync();
        }

        var expected = await SqliteSchema.DescribeAsync(created);
        var actual = await SqliteSchema.DescribeAsync(migrated);

        Assert.Equal(expected, actual);
        Assert.Contains(expected, line => line.StartsWith("table audit_entries", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MigrateAsync_SecondRun_AppliesNothing()
    {
        var path = Path.Combine(_directory, "twice.db");
        await using var db = new SqliteContextFactory($"Data Source={path};Pooling=False").CreateDbContext();
        await db.Database.MigrateAsync();

        await db.Database.MigrateAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(["20261122000001_Initial", "20261122000002_HealthHistory", "20261122000003_Alerts", "20261122000004_BackupVerification"], await db.Database.GetAppliedMigrationsAsync());
    }
}
