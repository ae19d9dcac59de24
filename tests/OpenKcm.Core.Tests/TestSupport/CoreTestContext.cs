using System.Collections.Immutable;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;
using OpenKcm.Core.Keystores;
using OpenKcm.Core.Plugins;
using OpenKcm.Core.Tenants;
using OpenKcm.Core.Vault;

namespace OpenKcm.Core.Tests.TestSupport;

/// <summary>
/// Core wired by hand over a real, migrated SQLite file in a temporary directory of its own. One per test; disposing
/// drains the audit log and deletes the directory.
/// </summary>
internal sealed class CoreTestContext : IAsyncDisposable
{
    public static readonly Actor Admin = new("user-1", "admin@example.com");

    private CoreTestContext(string directory)
    {
        Directory = directory;
        DatabasePath = Path.Combine(directory, "openkcm.db");
        Db = new SqliteContextFactory($"Data Source={DatabasePath};Pooling=False");
        Time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
        Kek = new KeyEncryptionKeyProvider(directory, _ => null);
        Audit = new AuditLog(Db, Time, NullLogger<AuditLog>.Instance);
        Vault = new CredentialVault(Db, Kek, Audit, Time);
        Tenants = new TenantService(Db, Audit, Time);
        Plugin = new FakeKeystorePlugin();
        Plugins = new PluginRegistry([Plugin]);
        Keystores = new KeystoreService(Db, Vault, Audit, Plugins, Time, NullLogger<KeystoreService>.Instance);
    }

    public string Directory { get; }

    public string DatabasePath { get; }

    public SqliteContextFactory Db { get; }

    public ManualTimeProvider Time { get; }

    public KeyEncryptionKeyProvider Kek { get; }

    public AuditLog Audit { get; }

    public CredentialVault Vault { get; }

    public TenantService Tenants { get; }

    public FakeKeystorePlugin Plugin { get; }

    public PluginRegistry Plugins { get; }

    public KeystoreService Keystores { get; }

    public Tenant DefaultTenant { get; private set; } = null!;

    public static async Task<CoreTestContext> CreateAsync(bool migrate = true)
    {
        var directory = NewDirectory();
        var context = new CoreTestContext(directory);
        if (migrate)
        {
            await using var db = context.Db.CreateDbContext();
            await db.Database.MigrateAsync();
            context.DefaultTenant = await context.Tenants.EnsureDefaultAsync(CancellationToken.None);
        }

        return context;
    }

    public static string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "openkcm-core-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Runs raw SQL against the database file, as an attacker or a broken disk would.</summary>
    public async Task<int> ExecuteSqlAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>Synchronous <see cref="ExecuteSqlAsync"/>, for hooks that run inside synchronous plugin calls.</summary>
    public int ExecuteSql(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    public async Task<long> CountAsync(string table)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Makes every later audit write fail inside SQLite, as a full disk would.</summary>
    public Task BreakAuditWritesAsync() => ExecuteSqlAsync(
        "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_entries BEGIN SELECT RAISE(ABORT, 'disk full'); END;");

    public Task RepairAuditWritesAsync() => ExecuteSqlAsync("DROP TRIGGER fail_audit;");

    public async Task<ImmutableArray<AuditEntry>> AuditEntriesAsync(string actionPrefix)
    {
        var page = await Audit.QueryAsync(new AuditQuery { ActionPrefix = actionPrefix, Take = AuditQuery.MaxTake }, CancellationToken.None);
        return page.Entries;
    }

    public async ValueTask DisposeAsync()
    {
        await Audit.DisposeAsync();
        Kek.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is harmless.
        }
    }
}
