using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Segmenter.Web.Store.Migrations.Sqlite
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
                    Id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    StartedUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    EndedUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    HeartbeatUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ImageName = table.Column<string>(type: "TEXT", nullable: true),
                    Original = table.Column<byte[]>(type: "BLOB", nullable: false),
                    SettingsJson = table.Column<string>(type: "TEXT", nullable: true),
                    ScribblesPng = table.Column<byte[]>(type: "BLOB", nullable: true),
                    PlannedEpochs = table.Column<int>(type: "INTEGER", nullable: false),
                    LossesJson = table.Column<string>(type: "TEXT", nullable: false),
                    Error = table.Column<string>(type: "TEXT", nullable: true),
                    CancelRequested = table.Column<bool>(type: "INTEGER", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    Worker = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    JobId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
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
