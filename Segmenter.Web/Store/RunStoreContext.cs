using Microsoft.EntityFrameworkCore;

namespace Segmenter.Web.Store;

/// <summary>The run store's EF Core model; the same model runs on SQLite (embedded default) and PostgreSQL.</summary>
public sealed class RunStoreContext(DbContextOptions<RunStoreContext> options) : DbContext(options)
{
    public DbSet<StoredRun> Runs => Set<StoredRun>();
    public DbSet<StoredImage> Images => Set<StoredImage>();
    public DbSet<StoreSchema> Schema => Set<StoreSchema>();

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
        });
    }
}
