using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Segmenter.Web.Store.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class QueuedRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "queued_runs",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    StartedUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    EndedUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    HeartbeatUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ImageName = table.Column<string>(type: "text", nullable: true),
                    Original = table.Column<byte[]>(type: "bytea", nullable: false),
                    SettingsJson = table.Column<string>(type: "text", nullable: true),
                    ScribblesPng = table.Column<byte[]>(type: "bytea", nullable: true),
                    PlannedEpochs = table.Column<int>(type: "integer", nullable: false),
                    LossesJson = table.Column<string>(type: "text", nullable: false),
                    Error = table.Column<string>(type: "text", nullable: true),
                    CancelRequested = table.Column<bool>(type: "boolean", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    Worker = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    JobId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_queued_runs", x => x.Id);
                });

            migrationBuilder.UpdateData(
                table: "store_schema",
                keyColumn: "Id",
                keyValue: 1,
                column: "Version",
                value: 3);

            migrationBuilder.CreateIndex(
                name: "IX_queued_runs_State_CreatedUtc",
                table: "queued_runs",
                columns: new[] { "State", "CreatedUtc" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "queued_runs");

            migrationBuilder.UpdateData(
                table: "store_schema",
                keyColumn: "Id",
                keyValue: 1,
                column: "Version",
                value: 2);
        }
    }
}
