using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OpenKcm.Console.Data.Migrations;

/// <summary>
/// Read-only display tokens for NOC wall screens, stored as SHA-256 hashes. Written by hand like
/// <see cref="IdentityInitial"/>; IdentitySchemaTests proves the migrated schema equals the model's.
/// </summary>
[DbContext(typeof(ConsoleIdentityDbContext))]
[Migration("20261122000002_DisplayTokens")]
public sealed class DisplayTokens : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE "DisplayTokens" (
                "Id" TEXT NOT NULL CONSTRAINT "PK_DisplayTokens" PRIMARY KEY,
                "Name" TEXT NOT NULL,
                "TokenHash" TEXT NOT NULL,
                "CreatedById" TEXT NOT NULL,
                "CreatedByName" TEXT NOT NULL,
                "CreatedAt" TEXT NOT NULL,
                "ExpiresAt" TEXT NOT NULL,
                "LastUsedAt" TEXT NULL,
                "RevokedAt" TEXT NULL,
                "RevokedByName" TEXT NULL
            );
            """);
        migrationBuilder.Sql("""
            CREATE UNIQUE INDEX "IX_DisplayTokens_TokenHash" ON "DisplayTokens" ("TokenHash");
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("DisplayTokens");
}
