using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OpenKcm.Console.Identity;

namespace OpenKcm.Console.Data;

/// <summary>
/// ASP.NET Core Identity tables. Lives in the same SQLite file as Core's tables but has its own context and
/// migrations history table (<see cref="HistoryTable"/>), so Core stays free of ASP.NET.
/// </summary>
public sealed class ConsoleIdentityDbContext(DbContextOptions<ConsoleIdentityDbContext> options)
    : IdentityDbContext<ConsoleUser, IdentityRole, string>(options)
{
    public const string HistoryTable = "__IdentityMigrationsHistory";
}
