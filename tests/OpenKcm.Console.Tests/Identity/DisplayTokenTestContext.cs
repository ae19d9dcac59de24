using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
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
        Services.AddIdentityCore<ConsoleUser>()
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ConsoleIdentityDbContext>();
        Services.AddSingleton<SessionValidator>();
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

    /// <summary>
    /// Stores a real console user and returns the principal a sign-in cookie would carry (id, role, security stamp),
    /// with the user itself for changing it afterwards.
    /// </summary>
    protected async Task<(ClaimsPrincipal Principal, ConsoleUser User)> SignedInUserAsync(string email, string role)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ConsoleUser>>();
        var user = new ConsoleUser { UserName = email, Email = email, CreatedAt = Time.GetUtcNow() };
        var created = await users.CreateAsync(user);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        var stampClaim = Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType;
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id),
                new Claim(ClaimTypes.Name, email),
                new Claim(ClaimTypes.Role, role),
                new Claim(stampClaim, (await users.GetSecurityStampAsync(user))!),
            ],
            IdentityConstants.ApplicationScheme));
        return (principal, user);
    }

    /// <summary>Runs <paramref name="change"/> on the stored user <paramref name="userId"/> in a scope of its own.</summary>
    protected async Task ChangeUserAsync(string userId, Func<UserManager<ConsoleUser>, ConsoleUser, Task> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ConsoleUser>>();
        await change(users, (await users.FindByIdAsync(userId))!);
    }

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
