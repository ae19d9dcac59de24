using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OpenKcm.Core.Data.Migrations;

/// <summary>
/// Core's initial schema, written by hand (the EF design-time tools cannot be installed here) from the model's
/// <c>GenerateCreateScript()</c>. SQLite column types. MigrationsTests proves the result equals the model's schema;
/// when the model changes, add a new migration the same way and that test tells you when it matches.
/// </summary>
[DbContext(typeof(OpenKcmDbContext))]
[Migration("20261122000001_Initial")]
internal sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "audit_entries",
            columns: table => new
            {
                sequence = table.Column<long>(type: "INTEGER", nullable: false),
                timestamp = table.Column<string>(type: "TEXT", nullable: false),
                actor_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                actor_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                tenant_id = table.Column<Guid>(type: "TEXT", nullable: true),
                keystore_id = table.Column<Guid>(type: "TEXT", nullable: true),
                outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                detail = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                previous_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_audit_entries", x => x.sequence));

        migrationBuilder.CreateTable(
            name: "stored_secrets",
            columns: table => new
            {
                owner_id = table.Column<Guid>(type: "TEXT", nullable: false),
                field = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                version = table.Column<int>(type: "INTEGER", nullable: false),
                ciphertext = table.Column<byte[]>(type: "BLOB", nullable: false),
                wrapped_data_key = table.Column<byte[]>(type: "BLOB", nullable: false),
                kek_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                created_at = table.Column<string>(type: "TEXT", nullable: false),
                created_by_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_stored_secrets", x => new { x.owner_id, x.field, x.version }));

        migrationBuilder.CreateTable(
            name: "tenants",
            columns: table => new
            {
                id = table.Column<Guid>(type: "TEXT", nullable: false),
                name = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                created_at = table.Column<string>(type: "TEXT", nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_tenants", x => x.id));

        migrationBuilder.CreateTable(
            name: "keystores",
            columns: table => new
            {
                id = table.Column<Guid>(type: "TEXT", nullable: false),
                tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                kind = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                current_version = table.Column<int>(type: "INTEGER", nullable: false),
                active_version = table.Column<int>(type: "INTEGER", nullable: true),
                backup_keystore_id = table.Column<Guid>(type: "TEXT", nullable: true),
                created_at = table.Column<string>(type: "TEXT", nullable: false),
                updated_at = table.Column<string>(type: "TEXT", nullable: false),
                last_test_version = table.Column<int>(type: "INTEGER", nullable: true),
                last_test_outcome = table.Column<string>(type: "TEXT", maxLength: 24, nullable: true),
                last_tested_at = table.Column<string>(type: "TEXT", nullable: true),
                revision = table.Column<int>(type: "INTEGER", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_keystores", x => x.id);
                table.ForeignKey(
                    name: "FK_keystores_keystores_backup_keystore_id",
                    column: x => x.backup_keystore_id,
                    principalTable: "keystores",
                    principalColumn: "id",
                    onDelete: ReferentialAction.Restrict);
                table.ForeignKey(
                    name: "FK_keystores_tenants_tenant_id",
                    column: x => x.tenant_id,
                    principalTable: "tenants",
                    principalColumn: "id",
                    onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateTable(
            name: "keystore_versions",
            columns: table => new
            {
                keystore_id = table.Column<Guid>(type: "TEXT", nullable: false),
                version = table.Column<int>(type: "INTEGER", nullable: false),
                settings_json = table.Column<string>(type: "TEXT", nullable: false),
                secret_versions_json = table.Column<string>(type: "TEXT", nullable: false),
                created_at = table.Column<string>(type: "TEXT", nullable: false),
                created_by_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                created_by_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                test_outcome = table.Column<string>(type: "TEXT", maxLength: 24, nullable: true),
                tested_at = table.Column<string>(type: "TEXT", nullable: true),
                test_results_json = table.Column<string>(type: "TEXT", nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_keystore_versions", x => new { x.keystore_id, x.version });
                table.ForeignKey(
                    name: "FK_keystore_versions_keystores_keystore_id",
                    column: x => x.keystore_id,
                    principalTable: "keystores",
                    principalColumn: "id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex(name: "IX_audit_entries_action", table: "audit_entries", column: "action");
        migrationBuilder.CreateIndex(name: "IX_audit_entries_keystore_id", table: "audit_entries", column: "keystore_id");
        migrationBuilder.CreateIndex(name: "IX_audit_entries_tenant_id", table: "audit_entries", column: "tenant_id");
        migrationBuilder.CreateIndex(name: "IX_audit_entries_timestamp", table: "audit_entries", column: "timestamp");
        migrationBuilder.CreateIndex(name: "IX_keystores_backup_keystore_id", table: "keystores", column: "backup_keystore_id");
        migrationBuilder.CreateIndex(name: "IX_keystores_tenant_id_name", table: "keystores", columns: ["tenant_id", "name"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_stored_secrets_kek_id", table: "stored_secrets", column: "kek_id");
        migrationBuilder.CreateIndex(name: "IX_tenants_name", table: "tenants", column: "name", unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "keystore_versions");
        migrationBuilder.DropTable(name: "keystores");
        migrationBuilder.DropTable(name: "tenants");
        migrationBuilder.DropTable(name: "stored_secrets");
        migrationBuilder.DropTable(name: "audit_entries");
    }
}
