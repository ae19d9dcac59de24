using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OpenKcm.Console.Identity;
using OpenKcm.Console.Identity.DisplayTokens;

namespace OpenKcm.Console.Data;

/// <summary>
/// ASP.NET Core Identity tables. Lives in the same SQLite file as Core's tables but has its own context and
/// migrations history table (<see cref="HistoryTable"/>), so Core stays free of ASP.NET.
/// </summary>
public sealed class ConsoleIdentityDbContext(DbContextOptions<ConsoleIdentityDbContext> options)
    : IdentityDbContext<ConsoleUser, IdentityRole, string>(options)
{
    public const string HistoryTable = "__IdentityMigrationsHistory";

    /// <summary>Read-only display tokens (hashes only): <see cref="DisplayTokenService"/>.</summary>
    public DbSet<DisplayToken> DisplayTokens => Set<DisplayToken>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<DisplayToken>(token =>
        {
            token.ToTable("DisplayTokens");
            token.HasKey(t => t.Id);
            token.Property(t => t.Name).HasMaxLength(DisplayTokenService.MaxNameLength);
            token.Property(t => t.TokenHash).HasMaxLength(64);
            token.HasIndex(t => t.TokenHash).IsUnique();
        });
    }
}
