using Microsoft.EntityFrameworkCore;
using OpenKcm.Console.Data;
using OpenKcm.Tests.Shared;

namespace OpenKcm.Console.Tests.Data;

public sealed class IdentitySchemaTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("openkcm-identity-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task MigrateAsync_EmptyDatabase_CreatesExactlyTheModelSchema()
    {
        var migrated = Path.Combine(_directory, "migrated.db");
        var created = Path.Combine(_directory, "created.db");
        await using (var db = Create(migrated))
        {
            await db.Database.MigrateAsync();
        }

        await using (var db = Create(created))
        {
            await db.Database.EnsureCreatedAsync();
        }

        var expected = await SqliteSchema.DescribeAsync(created);

        Assert.Equal(expected, await SqliteSchema.DescribeAsync(migrated));
        Assert.Contains("table AspNetUsers column CreatedAt type=TEXT notnull=1 default= pk=0", expected);
    }

    [Fact]
    public async Task MigrateAsync_SecondRun_RecordsItsHistoryInItsOwnTable()
    {
        var path = Path.Combine(_directory, "twice.db");
        await using var db = Create(path);
        await db.Database.MigrateAsync();

        await db.Database.MigrateAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        var history = await db.Database.SqlQueryRaw<string>(
            $"SELECT MigrationId AS Value FROM \"{ConsoleIdentityDbContext.HistoryTable}\"").ToListAsync();
        Assert.Equal(["20261122000001_IdentityInitial", "20261122000002_DisplayTokens"], history);
    }

    private static ConsoleIdentityDbContext Create(string path) =>
        new(new DbContextOptionsBuilder<ConsoleIdentityDbContext>()
            .UseSqlite($"Data Source={path};Pooling=False", o => o.MigrationsHistoryTable(ConsoleIdentityDbContext.HistoryTable))
            .Options);
}
