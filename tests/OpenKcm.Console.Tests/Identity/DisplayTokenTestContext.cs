using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenKcm.Console.Data;
using OpenKcm.Console.Identity;
using OpenKcm.Console.Identity.DisplayTokens;
using OpenKcm.Core;
using OpenKcm.Core.Audit;
using OpenKcm.Core.Data;
using OpenKcm.Tests.Shared;

namespace OpenKcm.Console.Tests.Identity;

/// <summary>
/// The real <see cref="DisplayTokenService"/> over a migrated SQLite file of the test's own (Core's tables for the
/// audit log, the Identity tables with <c>DisplayTokens</c>), on a manual clock, with a signed-in administrator.
/// </summary>
public abstract class DisplayTokenTestContext : ConsoleTestContext, IAsyncLifetime
{
    public const string AdminId = "user-ada";
    public const string AdminName = "ada@example.test";

    protected DisplayTokenTestContext()
    {
        var connectionString = $"Data Source={Path.Combine(Directory, "openkcm.db")};Pooling=False";
        Services.AddSingleton<TimeProvider>(Time);
        Services.AddOpenKcmCore(o =>
        {
            o.DataDirectory = Directory;
            o.ConnectionString = connectionString;
        });
        Services.AddDbContext<ConsoleIdentityDbContext>(o => o.UseSqlite(connectionString,
            sqlite => sqlite.MigrationsHistoryTable(ConsoleIdentityDbContext.HistoryTable)));
        Services.AddLogging();
        Services.TryAddSingleton<DisplayTokenService>();
        Services.AddScoped<CurrentActor>();
        SignInAs(AdminName, Roles.Administrator);
        Authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, AdminId));
    }

    protected string Directory { get; } = Path.Combine(Path.GetTempPath(), "openkcm-console-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Starts at 2026-11-22 10:00 UTC.</summary>
    protected ManualTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));

    protected static Actor Admin { get; } = new(AdminId, AdminName);

    protected DisplayTokenService Tokens => Services.GetRequiredService<DisplayTokenService>();

    protected AuditLog Audit => Services.GetRequiredService<AuditLog>();

    protected async Task<IReadOnlyList<AuditEntry>> AuditEntriesAsync(string actionPrefix) =>
        (await Audit.QueryAsync(new AuditQuery { ActionPrefix = actionPrefix, Take = AuditQuery.MaxTake }, CancellationToken.None)).Entries;

    public virtual async Task InitializeAsync()
    {
        await Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(CancellationToken.None);
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ConsoleIdentityDbContext>().Database.MigrateAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
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
