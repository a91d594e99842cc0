using Microsoft.EntityFrameworkCore;
using Segmenter.Web.Sweeps;

namespace Segmenter.Web.Store;

/// <summary>
/// The run store's EF Core model; the same model runs on SQLite (embedded default) and PostgreSQL. The store is
/// always one of the two provider types below: EF Core scaffolds migrations for one provider at a time, so each
/// provider keeps its own migrations set (Store/Migrations/Sqlite, Store/Migrations/Postgres), found through the
/// context type it was made for.
/// </summary>
public abstract class RunStoreContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>The version <see cref="StoreSchema"/> holds; bumped by every migration that changes the schema, so a Segmenter built before migrations (which reads it) refuses a store that moved on.</summary>
    public const int SchemaVersion = 2; // 2: runs keep their trained model

    public DbSet<StoredRun> Runs => Set<StoredRun>();
    public DbSet<StoredImage> Images => Set<StoredImage>();
    public DbSet<StoreSchema> Schema => Set<StoreSchema>();
    public DbSet<StoredSweep> Sweeps => Set<StoredSweep>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<StoredRun>(run =>
        {
            run.ToTable("runs");
            run.HasKey(r => r.Id);
            run.Property(r => r.Id).HasMaxLength(32);
            run.Property(r => r.OwnerId).HasMaxLength(32);
            run.Property(r => r.ImageSha256).HasMaxLength(64);
            run.HasIndex(r => new { r.OwnerId, r.CreatedUtc });
            run.HasIndex(r => r.CreatedUtc);
            // An image stays while a run uses it; the store removes images no run uses after deleting runs.
            run.HasOne(r => r.Image).WithMany().HasForeignKey(r => r.ImageSha256).OnDelete(DeleteBehavior.Restrict);
        });
        model.Entity<StoredImage>(image =>
        {
            image.ToTable("images");
            image.HasKey(i => i.Sha256);
            image.Property(i => i.Sha256).HasMaxLength(64);
        });
        model.Entity<StoreSchema>(schema =>
        {
            schema.ToTable("store_schema");
            schema.HasKey(s => s.Id);
            schema.Property(s => s.Id).ValueGeneratedNever();
            // The one row: written by the migration that creates the table, in its transaction (the health check writes to it).
            schema.HasData(new StoreSchema { Id = 1, Version = SchemaVersion });
        });
        StoredSweep.Configure(model);
    }
}

/// <summary>The store on SQLite; its migrations are in Store/Migrations/Sqlite.</summary>
public sealed class SqliteRunStoreContext(DbContextOptions<SqliteRunStoreContext> options) : RunStoreContext(options);

/// <summary>The store on PostgreSQL; its migrations are in Store/Migrations/Postgres.</summary>
public sealed class PostgresRunStoreContext(DbContextOptions<PostgresRunStoreContext> options) : RunStoreContext(options);
