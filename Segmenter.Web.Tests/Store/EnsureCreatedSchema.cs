namespace Segmenter.Web.Tests.Store;

/// <summary>
/// The run store's schema exactly as Segmenter made it before migrations (EnsureCreated on the model of schema
/// version 2; EF Core's own DDL for it, captured from that build). Frozen: the upgrade tests build an "older" store
/// from it, so it must never be edited to follow the model.
/// </summary>
internal static class EnsureCreatedSchema
{
    /// <summary>The version row that build wrote after creating the tables.</summary>
    public const string VersionRow = """INSERT INTO store_schema ("Id", "Version") VALUES (1, 2);""";

    public const string Sqlite = """
CREATE TABLE "images" (
    "Sha256" TEXT NOT NULL CONSTRAINT "PK_images" PRIMARY KEY,
    "Bytes" BLOB NOT NULL,
    "ContentType" TEXT NOT NULL,
    "CreatedUtc" TEXT NOT NULL
);


CREATE TABLE "store_schema" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_store_schema" PRIMARY KEY,
    "Version" INTEGER NOT NULL
);


CREATE TABLE "runs" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_runs" PRIMARY KEY,
    "OwnerId" TEXT NOT NULL,
    "CreatedUtc" TEXT NOT NULL,
    "ImageName" TEXT NULL,
    "ImageSha256" TEXT NOT NULL,
    "Width" INTEGER NOT NULL,
    "Height" INTEGER NOT NULL,
    "Clusters" INTEGER NOT NULL,
    "Seed" INTEGER NOT NULL,
    "Reclustered" INTEGER NOT NULL,
    "SizeBytes" INTEGER NOT NULL,
    "DetailsJson" TEXT NOT NULL,
    "PlotJson" TEXT NOT NULL,
    "ReportJson" TEXT NOT NULL,
    "LabelsDeflated" BLOB NOT NULL,
    "SegmentedPng" BLOB NOT NULL,
    "ThumbnailPng" BLOB NOT NULL,
    "Model" BLOB NULL,
    CONSTRAINT "FK_runs_images_ImageSha256" FOREIGN KEY ("ImageSha256") REFERENCES "images" ("Sha256") ON DELETE RESTRICT
);


CREATE INDEX "IX_runs_CreatedUtc" ON "runs" ("CreatedUtc");


CREATE INDEX "IX_runs_ImageSha256" ON "runs" ("ImageSha256");


CREATE INDEX "IX_runs_OwnerId_CreatedUtc" ON "runs" ("OwnerId", "CreatedUtc");
""";

    public const string Postgres = """
CREATE TABLE images (
    "Sha256" character varying(64) NOT NULL,
    "Bytes" bytea NOT NULL,
    "ContentType" text NOT NULL,
    "CreatedUtc" timestamp with time zone NOT NULL,
    CONSTRAINT "PK_images" PRIMARY KEY ("Sha256")
);


CREATE TABLE store_schema (
    "Id" integer NOT NULL,
    "Version" integer NOT NULL,
    CONSTRAINT "PK_store_schema" PRIMARY KEY ("Id")
);


CREATE TABLE runs (
    "Id" character varying(32) NOT NULL,
    "OwnerId" character varying(32) NOT NULL,
    "CreatedUtc" timestamp with time zone NOT NULL,
    "ImageName" text,
    "ImageSha256" character varying(64) NOT NULL,
    "Width" integer NOT NULL,
    "Height" integer NOT NULL,
    "Clusters" integer NOT NULL,
    "Seed" integer NOT NULL,
    "Reclustered" boolean NOT NULL,
    "SizeBytes" bigint NOT NULL,
    "DetailsJson" text NOT NULL,
    "PlotJson" text NOT NULL,
    "ReportJson" text NOT NULL,
    "LabelsDeflated" bytea NOT NULL,
    "SegmentedPng" bytea NOT NULL,
    "ThumbnailPng" bytea NOT NULL,
    "Model" bytea,
    CONSTRAINT "PK_runs" PRIMARY KEY ("Id"),
    CONSTRAINT "FK_runs_images_ImageSha256" FOREIGN KEY ("ImageSha256") REFERENCES images ("Sha256") ON DELETE RESTRICT
);


CREATE INDEX "IX_runs_CreatedUtc" ON runs ("CreatedUtc");


CREATE INDEX "IX_runs_ImageSha256" ON runs ("ImageSha256");


CREATE INDEX "IX_runs_OwnerId_CreatedUtc" ON runs ("OwnerId", "CreatedUtc");
""";
}
