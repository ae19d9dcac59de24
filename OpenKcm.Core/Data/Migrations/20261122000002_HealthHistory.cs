using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OpenKcm.Core.Data.Migrations;

/// <summary>
/// Issue 5, health monitor: stored health history (minute and hour buckets) and per-keystore threshold overrides.
/// Written by hand like <see cref="Initial"/>; MigrationsTests proves the result equals the model.
/// </summary>
[DbContext(typeof(OpenKcmDbContext))]
[Migration("20261122000002_HealthHistory")]
internal sealed class HealthHistory : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "health_history",
            columns: table => new
            {
                keystore_id = table.Column<Guid>(type: "TEXT", nullable: false),
                duration_seconds = table.Column<int>(type: "INTEGER", nullable: false),
                start = table.Column<string>(type: "TEXT", nullable: false),
                probes = table.Column<long>(type: "INTEGER", nullable: false),
                operations = table.Column<long>(type: "INTEGER", nullable: false),
                successes = table.Column<long>(type: "INTEGER", nullable: false),
                failures = table.Column<long>(type: "INTEGER", nullable: false),
                latency_sum_ticks = table.Column<long>(type: "INTEGER", nullable: false),
                max_latency_ticks = table.Column<long>(type: "INTEGER", nullable: false),
                histogram = table.Column<byte[]>(type: "BLOB", nullable: false),
                last_error_kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                last_error_message = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                last_error_at = table.Column<string>(type: "TEXT", nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_health_history", x => new { x.keystore_id, x.duration_seconds, x.start }));

        migrationBuilder.CreateTable(
            name: "keystore_threshold_overrides",
            columns: table => new
            {
                keystore_id = table.Column<Guid>(type: "TEXT", nullable: false),
                warning_latency_ms = table.Column<long>(type: "INTEGER", nullable: false),
                critical_latency_ms = table.Column<long>(type: "INTEGER", nullable: true),
                critical_after_consecutive_failures = table.Column<int>(type: "INTEGER", nullable: false),
                probe_timeout_ms = table.Column<long>(type: "INTEGER", nullable: false),
                probe_interval_ms = table.Column<long>(type: "INTEGER", nullable: true),
                degraded_probe_interval_ms = table.Column<long>(type: "INTEGER", nullable: true),
                failback_after_healthy_probes = table.Column<int>(type: "INTEGER", nullable: false),
                updated_at = table.Column<string>(type: "TEXT", nullable: false),
                updated_by_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_keystore_threshold_overrides", x => x.keystore_id);
                table.ForeignKey(
                    name: "FK_keystore_threshold_overrides_keystores_keystore_id",
                    column: x => x.keystore_id,
                    principalTable: "keystores",
                    principalColumn: "id",
                    onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex(
            name: "IX_health_history_duration_seconds_start", table: "health_history", columns: ["duration_seconds", "start"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "keystore_threshold_overrides");
        migrationBuilder.DropTable(name: "health_history");
    }
}
