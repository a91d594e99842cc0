using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Segmenter.Web.Api;
using Segmenter.Web.Services;
using Segmenter.Web.Store;

namespace Segmenter.Web.Jobs;

/// <summary>
/// API runs queued durably when instances share a PostgreSQL store: a run is a <see cref="QueuedRun"/> row (its upload,
/// settings and progress) plus a Hangfire job that carries only its id (<see cref="RunWorkerJob"/>). Every instance
/// answers status, files and cancel from the row, so it does not matter which one accepted the run or which worker
/// runs it; a web instance that restarts loses nothing, since the row and the job are in the database.
/// </summary>
public sealed class DurableRuns(IDbContextFactory<RunStoreContext> contexts, RunStore store, IBackgroundJobClient jobs,
    IOptions<SegmenterOptions> options, JobMetrics metrics, ILogger<DurableRuns> logger)
{
    /// <summary>A running row whose worker wrote no heartbeat for this long has lost its worker: it waits for another.</summary>
    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a cancel waits for the worker to confirm that the run stopped.</summary>
    public static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(5);

    /// <summary>Ended rows older than this are removed (their runs are in the store, or were cancelled or failed long ago).</summary>
    public static readonly TimeSpan EndedRetention = TimeSpan.FromDays(1);

    public enum CancelOutcome { Unknown, Cancelled, Ended }

    /// <summary>Stores the run's row and enqueues its job; 503 when <see cref="SegmenterOptions.MaxQueueLength"/> runs already wait.</summary>
    internal async Task<ApiRun> SubmitAsync(PreparedRun prepared, string? settingsJson, byte[]? scribblesPng, CancellationToken ct)
    {
        await store.InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(ct);
        int waiting = await db.QueuedRuns.CountAsync(r => r.State == RunStates.Queued, ct);
        if (waiting >= options.Value.MaxQueueLength) throw ApiRuns.Busy(ServerBusyException.BusyMessage);

        var row = new QueuedRun
        {
            Id = RunCodec.NewId(), State = RunStates.Queued, CreatedUtc = DateTime.UtcNow, ImageName = prepared.FileName,
            Original = prepared.Original, SettingsJson = settingsJson, ScribblesPng = scribblesPng, PlannedEpochs = prepared.PlannedEpochs,
        };
        db.QueuedRuns.Add(row);
        await db.SaveChangesAsync(ct);
        // Enqueued after the row is committed, so a worker never fetches a job whose run it cannot find.
        row.JobId = jobs.Enqueue<RunWorkerJob>(job => job.RunAsync(row.Id, CancellationToken.None));
        await db.SaveChangesAsync(CancellationToken.None);
        metrics.Submitted();
        logger.LogInformation("API run {Id} queued as job {JobId} ({Waiting} waiting before it)", row.Id, row.JobId, waiting);
        return new ApiRun(row.Id, row.PlannedEpochs, RunStates.Queued, waiting + 1);
    }

    /// <summary>A run's status while it is queued, running, failed or cancelled; null when it finished (the store answers) or is unknown.</summary>
    internal async Task<SegmentationStatus?> StatusAsync(string id, CancellationToken ct)
    {
        if (!RunCodec.IsId(id)) return null;
        await store.InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.QueuedRuns.AsNoTracking().Where(r => r.Id == id)
            .Select(r => new { r.State, r.CreatedUtc, r.HeartbeatUtc, r.PlannedEpochs, r.LossesJson, r.Error }).SingleOrDefaultAsync(ct);
        if (row is null || row.State == RunStates.Finished) return null;
        string state = Shown(row.State, row.HeartbeatUtc);
        int position = state == RunStates.Queued ? await PlaceInLineAsync(db, row.CreatedUtc, ct) : 0;
        var losses = JsonSerializer.Deserialize<EpochLossDto[]>(row.LossesJson, JsonSerializerOptions.Web) ?? [];
        return new SegmentationStatus(id, state, position, row.PlannedEpochs, state == RunStates.Queued ? [] : losses, row.Error, ApiRuns.LinkOf(id), null);
    }

    /// <summary>"queued" or "running" while the run has no files yet; null otherwise.</summary>
    internal string? PendingState(string id)
    {
        if (!RunCodec.IsId(id)) return null;
        store.InitialiseAsync().GetAwaiter().GetResult();
        using var db = contexts.CreateDbContext();
        var row = db.QueuedRuns.AsNoTracking().Where(r => r.Id == id).Select(r => new { r.State, r.HeartbeatUtc }).SingleOrDefault();
        return row is not null && row.State is RunStates.Queued or RunStates.Running ? Shown(row.State, row.HeartbeatUtc) : null;
    }

    /// <summary>
    /// Cancels a queued run at once (no worker will start it), or asks the worker running it to stop and waits up to
    /// <see cref="CancelWait"/> for it to say so. <see cref="CancelOutcome.Ended"/>: the run had ended already (a finished
    /// one is then deleted from the store by the caller); <see cref="CancelOutcome.Unknown"/>: no such queued run.
    /// </summary>
    internal async Task<CancelOutcome> CancelAsync(string id, CancellationToken ct)
    {
        if (!RunCodec.IsId(id)) return CancelOutcome.Unknown;
        await store.InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = DateTime.UtcNow;
        // A queued run is cancelled by the database in one statement, so no worker can start it in between.
        int cancelledQueued = await db.QueuedRuns.Where(r => r.Id == id && r.State == RunStates.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, RunStates.Cancelled).SetProperty(r => r.CancelRequested, true)
                .SetProperty(r => r.EndedUtc, now), ct);
        if (cancelledQueued == 1)
        {
            metrics.Ended(RunStates.Cancelled);
            if (await db.QueuedRuns.Where(r => r.Id == id).Select(r => r.JobId).SingleOrDefaultAsync(ct) is { } jobId) jobs.Delete(jobId);
            logger.LogInformation("API run {Id} cancelled while queued", id);
            return CancelOutcome.Cancelled;
        }
        int asked = await db.QueuedRuns.Where(r => r.Id == id && r.State == RunStates.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.CancelRequested, true), ct);
        if (asked == 1)
        {
            logger.LogInformation("API run {Id}: cancel asked of its worker", id);
            var deadline = DateTime.UtcNow + CancelWait;
            while (DateTime.UtcNow < deadline
                   && await db.QueuedRuns.AsNoTracking().Where(r => r.Id == id).Select(r => r.State).SingleOrDefaultAsync(ct) == RunStates.Running)
                await Task.Delay(100, ct);
            return CancelOutcome.Cancelled;
        }
        return await db.QueuedRuns.AnyAsync(r => r.Id == id, ct) ? CancelOutcome.Ended : CancelOutcome.Unknown;
    }

    /// <summary>Removes an ended run's row (its run was deleted from the store, or it ended without one).</summary>
    internal async Task ForgetAsync(string id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.QueuedRuns.Where(r => r.Id == id && r.State != RunStates.Queued && r.State != RunStates.Running).ExecuteDeleteAsync(ct);
    }

    /// <summary>Runs waiting and running across every instance.</summary>
    internal (int Queued, int Running) Counts()
    {
        using var db = contexts.CreateDbContext();
        var counts = db.QueuedRuns.AsNoTracking().Where(r => r.State == RunStates.Queued || r.State == RunStates.Running)
            .GroupBy(r => r.State).Select(g => new { g.Key, Count = g.Count() }).ToList();
        return (counts.FirstOrDefault(c => c.Key == RunStates.Queued)?.Count ?? 0, counts.FirstOrDefault(c => c.Key == RunStates.Running)?.Count ?? 0);
    }

    /// <summary>A running run whose worker stopped writing its heartbeat waits to be taken up again: it shows as queued.</summary>
    private static string Shown(string state, DateTime? heartbeatUtc)
        => state == RunStates.Running && heartbeatUtc is { } beat && DateTime.UtcNow - DateTime.SpecifyKind(beat, DateTimeKind.Utc) > HeartbeatTimeout
            ? RunStates.Queued : state;

    private static async Task<int> PlaceInLineAsync(RunStoreContext db, DateTime createdUtc, CancellationToken ct)
        => 1 + await db.QueuedRuns.CountAsync(r => r.State == RunStates.Queued && r.CreatedUtc < createdUtc, ct);
}
