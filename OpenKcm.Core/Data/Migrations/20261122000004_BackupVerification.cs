using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OpenKcm.Core.Data.Migrations;

/// <summary>
/// Review fix of issue 5, failover: the last successful backup verification per primary keystore, with the versions it
/// covered. Written by hand like <see cref="Initial"/>; MigrationsTests proves the result equals the model.
/// </summary>
[DbContext(typeof(OpenKcmDbContext))]
[Migration("20261122000004_BackupVerification")]
internal sealed class BackupVerification : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "backup_verifications",
            columns: table => new
            {
                keystore_id = table.Column<Guid>(type: "TEXT", nullable: false),
                backup_keystore_id = table.Column<Guid>(type: "TEXT", nullable: false),
                primary_version = table.Column<int>(type: "INTEGER", nullable: false),
                backup_version = table.Column<int>(type: "INTEGER", nullable: false),
                verified_at = table.Column<string>(type: "TEXT", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_backup_verifications", x => x.keystore_id);
                table.ForeignKey(
                    name: "FK_backup_verifications_keystores_keystore_id",
                    column: x => x.keystore_id,
                    principalTable: "keystores",
                    principalColumn: "id",
                    onDelete: ReferentialAction.Cascade);
            });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "backup_verifications");
    }
}
