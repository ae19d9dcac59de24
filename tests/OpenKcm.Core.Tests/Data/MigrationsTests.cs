using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpenKcm.Core.Tests.TestSupport;

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

        var expected = await DescribeSchemaAsync(created);
        var actual = await DescribeSchemaAsync(migrated);

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
        Assert.Equal(["20261122000001_Initial"], await db.Database.GetAppliedMigrationsAsync());
    }

    /// <summary>
    /// Tables, columns (type, nullability, default, key position), indexes (uniqueness, origin, partial, columns) and
    /// foreign keys (columns, target, actions), from SQLite's own pragmas, one sorted line each. EF's bookkeeping
    /// tables (__EFMigrationsHistory, __EFMigrationsLock) exist only in the migrated database and are left out.
    /// </summary>
    private static async Task<List<string>> DescribeSchemaAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        var lines = new List<string>();
        var tables = await QueryAsync(connection,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_\\_EF%' ESCAPE '\\'");
        foreach (var table in tables.Select(r => r[0]))
        {
            lines.Add($"table {table}");
            foreach (var c in await QueryAsync(connection, $"SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{table}')"))
            {
                lines.Add($"table {table} column {c[0]} type={c[1]} notnull={c[2]} default={c[3]} pk={c[4]}");
            }

            foreach (var i in await QueryAsync(connection, $"SELECT name, \"unique\", origin, partial FROM pragma_index_list('{table}')"))
            {
                var columns = await QueryAsync(connection, $"SELECT name FROM pragma_index_info('{i[0]}') ORDER BY seqno");
                lines.Add($"table {table} index {i[0]} unique={i[1]} origin={i[2]} partial={i[3]} columns={string.Join(",", columns.Select(r => r[0]))}");
            }

            foreach (var f in await QueryAsync(connection,
                $"SELECT \"table\", \"from\", \"to\", on_update, on_delete, \"match\" FROM pragma_foreign_key_list('{table}')"))
            {
                lines.Add($"table {table} fk {f[1]} -> {f[0]}.{f[2]} on_update={f[3]} on_delete={f[4]} match={f[5]}");
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static async Task<List<string?[]>> QueryAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string?[]>();
        while (await reader.ReadAsync())
        {
            var row = new string?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
            }

            rows.Add(row);
        }

        return rows;
    }
}
