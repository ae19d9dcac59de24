using Microsoft.EntityFrameworkCore;
using OpenKcm.Core.Data;

namespace OpenKcm.Core.Tests.TestSupport;

internal sealed class SqliteContextFactory(string connectionString) : IDbContextFactory<OpenKcmDbContext>
{
    private readonly DbContextOptions<OpenKcmDbContext> _options =
        new DbContextOptionsBuilder<OpenKcmDbContext>().UseSqlite(connectionString).Options;

    public OpenKcmDbContext CreateDbContext() => new(_options);
}
