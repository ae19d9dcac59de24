using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OpenKcm.Tests.Shared;

/// <summary>
/// Reads a SQLite database's schema as sorted lines, for the tests that prove a migrated database equals the one the
/// EF model creates (the migrations are hand-written: environment.md). Linked into each test project that needs it.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>
    /// Tables, columns (type, nullability, default, key position), indexes (uniqueness, origin, partial, columns) and
    /// foreign keys (columns, target, actions), from SQLite's own pragmas, one sorted line each. EF's bookkeeping
    /// tables (every name starting with two underscores: __EFMigrationsHistory, __EFMigrationsLock,
    /// __IdentityMigrationsHistory) exist only in the migrated database and are left out.
    /// </summary>
    public static async Task<List<string>> DescribeAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        var lines = new List<string>();
        var tables = await QueryAsync(connection,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_\\_%' ESCAPE '\\'");
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
                row[i] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
            }

            rows.Add(row);
        }

        return rows;
    }
}
