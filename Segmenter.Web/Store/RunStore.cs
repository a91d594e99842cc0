using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Imaging;
using Segmenter.Web.Services;
using Segmenter.Web.Store.Migrations;

namespace Segmenter.Web.Store;

/// <summary>
/// Finished runs, persisted: save (one transaction: a kill mid-write leaves no half-written run listed), list a
/// browser's history, read one by its public id, delete, and evict the oldest beyond the retention limits
/// (<see cref="SegmenterOptions.MaxStoredRuns"/>, <see cref="SegmenterOptions.MaxStoreMegabytes"/>).
/// Thread-safe; one context per call.
/// </summary>
public sealed class RunStore
{
    private readonly IDbContextFactory<RunStoreContext> contexts;
    private readonly ILogger<RunStore> logger;
    private readonly Lazy<Task> _initialised;

    public RunStore(IDbContextFactory<RunStoreContext> contexts, IOptions<SegmenterOptions> options, ILogger<RunStore> logger)
    {
        this.contexts = contexts;
        this.logger = logger;
        _options = options.Value;
        _initialised = new Lazy<Task>(() => CreateOrUpgradeAsync(CancellationToken.None));
    }

    private readonly SegmenterOptions _options;
    // Saves and evictions of this instance one at a time (instances sharing a PostgreSQL store rely on its transactions).
    private readonly SemaphoreSlim _writes = new(1, 1);

    /// <summary>Raised after a run was saved or deleted (listeners refresh their lists).</summary>
    public event Action? Changed;

    /// <summary>
    /// Creates the store when it is new and brings its schema to this build's migrations (once, under a lock shared
    /// by every instance on the same database: <see cref="StoreSchemaUpgrade"/>); once per process (the host does it
    /// at start, every call awaits it). A store that cannot be used fails here with its reason.
    /// </summary>
    public Task InitialiseAsync() => _initialised.Value;

    private async Task CreateOrUpgradeAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await StoreSchemaUpgrade.UpgradeAsync(db, logger, ct);
    }

    /// <summary>Saves a finished run and its original (once per distinct upload) in one transaction, then applies retention.</summary>
    public async Task SaveAsync(RunToStore run, CancellationToken ct = default)
    {
        await InitialiseAsync();
        var sha = RunCodec.Sha256Hex(run.OriginalBytes);
        var labels = RunCodec.Deflate(run.Labels);
        var entity = new StoredRun
        {
            Id = run.Id, OwnerId = run.OwnerId, CreatedUtc = DateTime.UtcNow, ImageName = run.ImageName, ImageSha256 = sha,
            Width = run.Width, Height = run.Height, Clusters = run.Details.Parameters.Clusters, Seed = run.Details.Parameters.Seed,
            Reclustered = run.Reclustered, DetailsJson = RunCodec.ToJson(run.Details), PlotJson = RunCodec.ToJson(run.Plot),
            ReportJson = run.ReportJson, LabelsDeflated = labels, SegmentedPng = run.SegmentedPng, ThumbnailPng = run.ThumbnailPng, Model = run.Model,
        };
        entity.SizeBytes = labels.LongLength + run.SegmentedPng.LongLength + run.ThumbnailPng.LongLength + (run.Model?.LongLength ?? 0)
            + 2L * (entity.DetailsJson.Length + entity.PlotJson.Length + entity.ReportJson.Length);

        await _writes.WaitAsync(ct);
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                // One SaveChanges = one transaction: the image (if new) and the run appear together or not at all.
                if (!await db.Images.AnyAsync(i => i.Sha256 == sha, ct))
                    db.Images.Add(new StoredImage { Sha256 = sha, Bytes = run.OriginalBytes, ContentType = RunCodec.ContentTypeOf(run.OriginalBytes), CreatedUtc = DateTime.UtcNow });
                db.Runs.Add(entity);
                try
                {
                    await db.SaveChangesAsync(ct);
                    break;
                }
                catch (DbUpdateException) when (attempt == 1)
                {
                    // Another instance stored the same image between our check and our insert: retry without it.
                    logger.LogInformation("Retrying the save of run {Id} after a concurrent write", run.Id);
                }
            }
            await EvictLockedAsync(keep: run.Id, ct);
        }
        finally { _writes.Release(); }
        Changed?.Invoke();
    }

    /// <summary>Replaces a stored run's scores beside its own (a ground truth uploaded after it was stored); false when it is gone.</summary>
    public async Task<bool> UpdateScoresAsync(string id, Services.RunScores scores, CancellationToken ct = default)
    {
        await InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Runs.FindAsync([id], ct) is not { } run) return false;
        run.DetailsJson = RunCodec.ToJson(RunCodec.FromJson<RunDetails>(run.DetailsJson) with { Scores = scores });
        await db.SaveChangesAsync(ct);
        Changed?.Invoke();
        return true;
    }

    /// <summary>A browser's runs, newest first (at most <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<StoredRunSummary>> ListAsync(string ownerId, int limit = 200, CancellationToken ct = default)
    {
        await InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Runs.AsNoTracking().Where(r => r.OwnerId == ownerId)
            .OrderByDescending(r => r.CreatedUtc).Take(limit)
            .Select(r => new { r.Id, r.CreatedUtc, r.ImageName, r.Reclustered, r.Width, r.Height, r.DetailsJson, r.ThumbnailPng })
            .ToListAsync(ct);
        return rows.Select(r => new StoredRunSummary(r.Id, AsUtc(r.CreatedUtc), r.ImageName, r.Reclustered, r.Width, r.Height,
            RunCodec.FromJson<RunDetails>(r.DetailsJson), r.ThumbnailPng)).ToArray();
    }

    /// <summary>One run by its public id (anyone with the link may read it), or null.</summary>
    public async Task<StoredRunView?> GetAsync(string id, CancellationToken ct = default)
    {
        if (!RunCodec.IsId(id)) return null;
        await InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var r = await db.Runs.AsNoTracking().Where(r => r.Id == id)
            .Select(r => new { r.Id, r.OwnerId, r.CreatedUtc, r.ImageName, r.Reclustered, r.Width, r.Height, r.DetailsJson, r.ThumbnailPng, r.PlotJson, r.ImageSha256 })
            .SingleOrDefaultAsync(ct);
        if (r is null) return null;
        var summary = new StoredRunSummary(r.Id, AsUtc(r.CreatedUtc), r.ImageName, r.Reclustered, r.Width, r.Height,
            RunCodec.FromJson<RunDetails>(r.DetailsJson), r.ThumbnailPng);
        return new StoredRunView(summary, RunCodec.FromJson<PlotSample>(r.PlotJson), r.ImageSha256, r.OwnerId);
    }

    /// <summary>The cluster index of every pixel (row-major), exactly as saved, or null.</summary>
    public async Task<byte[]?> GetLabelsAsync(string id, CancellationToken ct = default)
    {
        if (!RunCodec.IsId(id)) return null;
        await InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var r = await db.Runs.AsNoTracking().Where(r => r.Id == id).Select(r => new { r.LabelsDeflated, r.Width, r.Height }).SingleOrDefaultAsync(ct);
        return r is null ? null : RunCodec.Inflate(r.LabelsDeflated, r.Width * r.Height);
    }

    /// <summary>A stored file's bytes and content type (labels as raw bytes: see <see cref="GetLabelsAsync"/>), or null.</summary>
    public async Task<(byte[] Bytes, string ContentType)?> GetFileAsync(string id, RunFile file, CancellationToken ct = default)
    {
        if (!RunCodec.IsId(id)) return null;
        await InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var runs = db.Runs.AsNoTracking().Where(r => r.Id == id);
        return file switch
        {
            RunFile.Original => await runs.Select(r => new { r.Image!.Bytes, r.Image.ContentType }).SingleOrDefaultAsync(ct) is { } o ? (o.Bytes, o.ContentType) : null,
            RunFile.Segmented => await runs.Select(r => r.SegmentedPng).SingleOrDefaultAsync(ct) is { } s ? (s, "image/png") : null,
            RunFile.Thumbnail => await runs.Select(r => r.ThumbnailPng).SingleOrDefaultAsync(ct) is { } t ? (t, "image/png") : null,
            RunFile.Report => await runs.Select(r => r.ReportJson).SingleOrDefaultAsync(ct) is { } j ? (System.Text.Encoding.UTF8.GetBytes(j), "application/json") : null,
            RunFile.Labels => await GetLabelsAsync(id, ct) is { } l ? (l, "application/octet-stream") : null,
            RunFile.Strokes => await runs.Select(r => new { r.DetailsJson, r.Width, r.Height }).SingleOrDefaultAsync(ct) is { } d
                               && RunCodec.FromJson<RunDetails>(d.DetailsJson).Strokes is { } strokes
                ? (ImageLoader.EncodeLabelPng(strokes.BrushOfPixel(d.Width, d.Height), d.Width, d.Height), "image/png") : null,
            _ => null,
        };
    }

    /// <summary>A stored run's trained model (a <c>SavedModel</c> file), or null when the run is unknown or kept none.</summary>
    public async Task<byte[]?> GetModelAsync(string id, CancellationToken ct = default)
    {
        if (!RunCodec.IsId(id)) return null;
        await InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Runs.AsNoTracking().Where(r => r.Id == id).Select(r => r.Model).SingleOrDefaultAsync(ct);
    }

    /// <summary>The original upload of a stored image (by its SHA-256), or null.</summary>
    public async Task<byte[]?> GetImageAsync(string sha256, CancellationToken ct = default)
    {
        await InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Images.AsNoTracking().Where(i => i.Sha256 == sha256).Select(i => i.Bytes).SingleOrDefaultAsync(ct);
    }

    /// <summary>Deletes a run (only the owner's when <paramref name="ownerId"/> is given) and an image no run uses any more.</summary>
    public async Task<bool> DeleteAsync(string id, string? ownerId = null, CancellationToken ct = default)
    {
        if (!RunCodec.IsId(id)) return false;
        await InitialiseAsync();
        int deleted;
        await _writes.WaitAsync(ct);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            deleted = await db.Runs.Where(r => r.Id == id && (ownerId == null || r.OwnerId == ownerId)).ExecuteDeleteAsync(ct);
            await DeleteUnusedImagesAsync(db, ct);
            await tx.CommitAsync(ct);
        }
        finally { _writes.Release(); }
        if (deleted > 0) Changed?.Invoke();
        return deleted > 0;
    }

    /// <summary>Applies the retention limits now (a save applies them too).</summary>
    public async Task<int> EvictAsync(CancellationToken ct = default)
    {
        await InitialiseAsync();
        await _writes.WaitAsync(ct);
        try { return await EvictLockedAsync(keep: null, ct); }
        finally { _writes.Release(); }
    }

    /// <summary>Counts and bytes, for the health check and the tests.</summary>
    public async Task<(int Runs, int Images, long Bytes)> MeasureAsync(CancellationToken ct = default)
    {
        await InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(ct);
        int runs = await db.Runs.CountAsync(ct);
        long runBytes = runs == 0 ? 0 : await db.Runs.SumAsync(r => r.SizeBytes, ct);
        var imageSizes = await db.Images.Select(i => (long)i.Bytes.Length).ToListAsync(ct);
        return (runs, imageSizes.Count, runBytes + imageSizes.Sum());
    }

    /// <summary>Deletes the oldest runs beyond the limits (never <paramref name="keep"/>, the run just saved). Call holding the write lock.</summary>
    private async Task<int> EvictLockedAsync(string? keep, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var runs = await db.Runs.AsNoTracking().OrderByDescending(r => r.CreatedUtc)
            .Select(r => new { r.Id, r.SizeBytes, r.ImageSha256 }).ToListAsync(ct);
        var imageBytes = await db.Images.AsNoTracking().Select(i => new { i.Sha256, Length = (long)i.Bytes.Length }).ToDictionaryAsync(i => i.Sha256, i => i.Length, ct);
        long maxBytes = (long)(_options.MaxStoreMegabytes * 1024 * 1024);
        var keptImages = new HashSet<string>();
        var evict = new List<string>();
        int keptRuns = 0;
        long bytes = 0;
        foreach (var r in runs)
        {
            long cost = r.SizeBytes + (keptImages.Contains(r.ImageSha256) ? 0 : imageBytes.GetValueOrDefault(r.ImageSha256));
            bool fits = evict.Count == 0 && keptRuns < _options.MaxStoredRuns && bytes + cost <= maxBytes;
            if (fits || r.Id == keep) { keptImages.Add(r.ImageSha256); keptRuns++; bytes += cost; }
            else evict.Add(r.Id);
        }
        if (evict.Count == 0) return 0;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var chunk in evict.Chunk(500))
            await db.Runs.Where(r => chunk.Contains(r.Id)).ExecuteDeleteAsync(ct);
        await DeleteUnusedImagesAsync(db, ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Run store retention evicted {Count} run(s)", evict.Count);
        return evict.Count;
    }

    private static Task<int> DeleteUnusedImagesAsync(RunStoreContext db, CancellationToken ct)
        => db.Images.Where(i => !db.Runs.Any(r => r.ImageSha256 == i.Sha256)).ExecuteDeleteAsync(ct);

    private static DateTime AsUtc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);
}
