using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Segmenter.Web.Store.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "images",
                columns: table => new
                {
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Bytes = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_images", x => x.Sha256);
                });

            migrationBuilder.CreateTable(
                name: "store_schema",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_store_schema", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "runs",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    OwnerId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ImageName = table.Column<string>(type: "TEXT", nullable: true),
                    ImageSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Width = table.Column<int>(type: "INTEGER", nullable: false),
                    Height = table.Column<int>(type: "INTEGER", nullable: false),
                    Clusters = table.Column<int>(type: "INTEGER", nullable: false),
                    Seed = table.Column<int>(type: "INTEGER", nullable: false),
                    Reclustered = table.Column<bool>(type: "INTEGER", nullable: false),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    DetailsJson = table.Column<string>(type: "TEXT", nullable: false),
                    PlotJson = table.Column<string>(type: "TEXT", nullable: false),
                    ReportJson = table.Column<string>(type: "TEXT", nullable: false),
                    LabelsDeflated = table.Column<byte[]>(type: "BLOB", nullable: false),
                    SegmentedPng = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ThumbnailPng = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Model = table.Column<byte[]>(type: "BLOB", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_runs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_runs_images_ImageSha256",
                        column: x => x.ImageSha256,
                        principalTable: "images",
                        principalColumn: "Sha256",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.InsertData(
                table: "store_schema",
                columns: new[] { "Id", "Version" },
                values: new object[] { 1, 2 });

            migrationBuilder.CreateIndex(
                name: "IX_runs_CreatedUtc",
                table: "runs",
                column: "CreatedUtc");

            migrationBuilder.CreateIndex(
                name: "IX_runs_ImageSha256",
                table: "runs",
                column: "ImageSha256");

            migrationBuilder.CreateIndex(
                name: "IX_runs_OwnerId_CreatedUtc",
                table: "runs",
                columns: new[] { "OwnerId", "CreatedUtc" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "runs");

            migrationBuilder.DropTable(
                name: "store_schema");

            migrationBuilder.DropTable(
                name: "images");
        }
    }
}
