using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OpenKcm.Core.Data.Migrations;

/// <summary>
/// Alerts, webhooks and webhook deliveries (issue 5, alerts lane), written by hand like <see cref="Initial"/>;
/// MigrationsTests proves the result equals the model's schema.
/// </summary>
[DbContext(typeof(OpenKcmDbContext))]
[Migration("20261122000003_Alerts")]
internal sealed class Alerts : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "alerts",
            columns: table => new
            {
                id = table.Column<Guid>(type: "TEXT", nullable: false),
                raised_at = table.Column<string>(type: "TEXT", nullable: false),
                last_occurred_at = table.Column<string>(type: "TEXT", nullable: false),
                occurrence_count = table.Column<int>(type: "INTEGER", nullable: false),
                type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                severity = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                tenant_id = table.Column<Guid>(type: "TEXT", nullable: true),
                tenant_name = table.Column<string>(type: "TEXT", maxLength: 63, nullable: true),
                keystore_id = table.Column<Guid>(type: "TEXT", nullable: true),
                keystore_name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                title = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                detail = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                dedup_key = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                acknowledged_at = table.Column<string>(type: "TEXT", nullable: true),
                acknowledged_by_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                acknowledged_by_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_alerts", x => x.id));

        migrationBuilder.CreateTable(
            name: "webhooks",
            columns: table => new
            {
                id = table.Column<Guid>(type: "TEXT", nullable: false),
                name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                secret_version = table.Column<int>(type: "INTEGER", nullable: false),
                created_at = table.Column<string>(type: "TEXT", nullable: false),
                updated_at = table.Column<string>(type: "TEXT", nullable: false),
                revision = table.Column<int>(type: "INTEGER", nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_webhooks", x => x.id));

        migrationBuilder.CreateTable(
            name: "webhook_deliveries",
            columns: table => new
            {
                id = table.Column<Guid>(type: "TEXT", nullable: false),
                webhook_id = table.Column<Guid>(type: "TEXT", nullable: false),
                alert_id = table.Column<Guid>(type: "TEXT", nullable: true),
                event_id = table.Column<Guid>(type: "TEXT", nullable: false),
                event_type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                payload = table.Column<string>(type: "TEXT", nullable: false),
                state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                attempts = table.Column<int>(type: "INTEGER", nullable: false),
                created_at = table.Column<string>(type: "TEXT", nullable: false),
                next_attempt_at = table.Column<string>(type: "TEXT", nullable: true),
                last_attempt_at = table.Column<string>(type: "TEXT", nullable: true),
                last_status_code = table.Column<int>(type: "INTEGER", nullable: true),
                last_error = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                delivered_at = table.Column<string>(type: "TEXT", nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_webhook_deliveries", x => x.id);
                table.ForeignKey(
                    name: "FK_webhook_deliveries_alerts_alert_id",
                    column: x => x.alert_id,
                    principalTable: "alerts",
                    principalColumn: "id",
                    onDelete: ReferentialAction.Cascade);
                table.ForeignKey(
                    name: "FK_webhook_deliveries_webhooks_webhook_id",
                    column: x => x.webhook_id,
                    principalTable: "webhooks",
                    principalColumn: "id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex(name: "IX_alerts_acknowledged_at", table: "alerts", column: "acknowledged_at");
        migrationBuilder.CreateIndex(name: "IX_alerts_dedup_key", table: "alerts", column: "dedup_key", unique: true);
        migrationBuilder.CreateIndex(name: "IX_alerts_keystore_id_type", table: "alerts", columns: ["keystore_id", "type"]);
        migrationBuilder.CreateIndex(name: "IX_alerts_last_occurred_at", table: "alerts", column: "last_occurred_at");
        migrationBuilder.CreateIndex(name: "IX_webhooks_name", table: "webhooks", column: "name", unique: true);
        migrationBuilder.CreateIndex(name: "IX_webhook_deliveries_alert_id", table: "webhook_deliveries", column: "alert_id");
        migrationBuilder.CreateIndex(name: "IX_webhook_deliveries_state_next_attempt_at", table: "webhook_deliveries", columns: ["state", "next_attempt_at"]);
        migrationBuilder.CreateIndex(name: "IX_webhook_deliveries_webhook_id", table: "webhook_deliveries", column: "webhook_id");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "webhook_deliveries");
        migrationBuilder.DropTable(name: "webhooks");
        migrationBuilder.DropTable(name: "alerts");
    }
}
