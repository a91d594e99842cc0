using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Segmenter.Web.Api;
using Segmenter.Web.Store;

namespace Segmenter.Web.Jobs;

/// <summary>
/// The job a worker runs for one queued API run: it loads the run's row, prepares the run from the stored upload with
/// the API's own validation, trains and publishes it through the API's code into the store, and keeps the row current
/// (heartbeat, epoch losses, end state). A poll every <see cref="PollInterval"/> writes the progress and reads the
/// cancel flag, so a cancel posted to any instance stops the run within a second or so.
/// <para>
/// A worker killed mid-run leaves its job fetched but unfinished; Hangfire's PostgreSQL queue hands it to another
/// worker once its invisibility timeout passes without the dead worker's keep-alive (JobEngine). This job then starts
/// the run afresh, counting the attempt: after <see cref="MaxAttempts"/> starts it gives up and marks the run failed
/// with a message that says why. The store keys runs by id, so a run is never stored twice: a run found stored
/// already is marked finished without running again.
/// </para>
/// </summary>
public sealed class RunWorkerJob(IDbContextFactory<RunStoreContext> contexts, RunStore store, ApiRuns api, JobMetrics metrics,
    ILogger<RunWorkerJob> logger)
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Starts of one run (the first and those after a worker died mid-run) before it is given up.</summary>
    public const int MaxAttempts = 3;

    /// <summary>This process as the rows name it.</summary>
    public static readonly string WorkerName = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <param name="shutdown">Hangfire's token: cancelled when this worker shuts down (the job then goes back to the queue).</param>
    // No automatic retry: a run that fails does so for a reason a retry would repeat (a bad image, a diverged training);
    // a worker that died is not a failure Hangfire sees, its job is fetched again.
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(string runId, CancellationToken shutdown)
    {
        await store.InitialiseAsync();
        await using var db = await contexts.CreateDbContextAsync(shutdown);
        var now = DateTime.UtcNow;
        // Claimed in one statement: a row that ended (cancelled while queued, finished) is left alone.
        int claimed = await db.QueuedRuns.Where(r => r.Id == runId && (r.State == RunStates.Queued || r.State == RunStates.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, RunStates.Running).SetProperty(r => r.Attempts, r => r.Attempts + 1)
                .SetProperty(r => r.StartedUtc, now).SetProperty(r => r.HeartbeatUtc, now).SetProperty(r => r.Worker, WorkerName)
                .SetProperty(r => r.LossesJson, "[]"), shutdown);
        if (claimed == 0)
        {
            logger.LogInformation("Job for API run {Id}: the run has ended or is gone; nothing to do", runId);
            return;
        }
        var row = await db.QueuedRuns.AsNoTracking().SingleAsync(r => r.Id == runId, shutdown);
        if (await store.GetAsync(runId, shutdown) is not null)
        {
            logger.LogInformation("API run {Id} is stored already (its worker stopped after storing it); marked finished", runId);
            await EndAsync(runId, RunStates.Finished, null, shutdown);
            return;
        }
        if (row.Attempts > MaxAttempts)
        {
            await EndAsync(runId, RunStates.Failed,
                $"The run was started {MaxAttempts} times and its worker stopped each time before it ended (killed or restarted); it was given up.", shutdown);
            return;
        }
        logger.LogInformation("API run {Id} starts on {Worker} (attempt {Attempt})", runId, WorkerName, row.Attempts);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        var losses = new List<EpochLossDto>();
        var poll = PollAsync(runId, losses, stop, shutdown);
        try
        {
            PreparedRun prepared;
            try { prepared = await api.PrepareAsync(new MemoryStream(row.Original), row.ImageName, ApiRuns.ParseSettings(row.SettingsJson), row.ScribblesPng, stop.Token); }
            catch (ApiProblem problem) { throw new ArgumentException(problem.Message); }
            using (prepared)
                await Task.Run(() => api.Execute(runId, prepared, l => { lock (losses) losses.Add(new EpochLossDto(l.Epoch, l.Loss, l.ElapsedSeconds)); }, stop.Token),
                    CancellationToken.None);
            await stop.CancelAsync();
            await poll;
            await EndAsync(runId, RunStates.Finished, null, CancellationToken.None, losses);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // This worker stops: the run goes back to the queue for the next worker, and Hangfire requeues the job.
            await db.QueuedRuns.Where(r => r.Id == runId && r.State == RunStates.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, RunStates.Queued).SetProperty(r => r.Attempts, r => r.Attempts - 1), CancellationToken.None);
            throw;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await EndAsync(runId, RunStates.Cancelled, null, CancellationToken.None, losses);
        }
        catch (Exception e)
        {
            if (await IsStoredAsync(runId))
            {
                // Another worker took the same job (this one looked dead to the queue) and stored the run first.
                logger.LogInformation(e, "API run {Id} was stored by another worker meanwhile", runId);
                await EndAsync(runId, RunStates.Finished, null, CancellationToken.None);
                return;
            }
            logger.LogWarning(e, "API run {Id} failed", runId);
            await EndAsync(runId, RunStates.Failed, ApiRuns.ErrorOf(e), CancellationToken.None, losses);
        }
        finally
        {
            await stop.CancelAsync();
            await poll;
        }
    }

    private async Task<bool> IsStoredAsync(string runId)
    {
        try { return await store.GetAsync(runId) is not null; }
        catch (Exception) { return false; } // the store cannot answer: the run's own failure is the message
    }

    /// <summary>Writes the heartbeat and the losses so far, and stops the run when its cancel flag is set; ends when <paramref name="stop"/> is cancelled.</summary>
    private Task PollAsync(string runId, List<EpochLossDto> losses, CancellationTokenSource stop, CancellationToken shutdown)
        => Task.Run(async () =>
        {
            int written = -1;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(PollInterval, stop.Token);
                    string? lossesJson = null;
                    lock (losses) if (losses.Count != written) { written = losses.Count; lossesJson = JsonSerializer.Serialize(losses, JsonSerializerOptions.Web); }
                    await using var db = await contexts.CreateDbContextAsync(stop.Token);
                    var now = DateTime.UtcNow;
                    var running = db.QueuedRuns.Where(r => r.Id == runId && r.State == RunStates.Running);
                    if (lossesJson is null) await running.ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatUtc, now), stop.Token);
                    else await running.ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatUtc, now).SetProperty(r => r.LossesJson, lossesJson), stop.Token);
                    if (await db.QueuedRuns.AsNoTracking().Where(r => r.Id == runId).Select(r => r.CancelRequested).SingleOrDefaultAsync(stop.Token))
                    {
                        logger.LogInformation("API run {Id}: cancel seen, stopping", runId);
                        await stop.CancelAsync();
                    }
                }
                catch (OperationCanceledException) { return; }
                catch (Exception e) when (!shutdown.IsCancellationRequested)
                {
                    // The database is away for a moment: the run goes on and the next poll tries again.
                    logger.LogWarning(e, "API run {Id}: progress not written", runId);
                }
            }
        }, CancellationToken.None);

    private async Task EndAsync(string runId, string state, string? error, CancellationToken ct, List<EpochLossDto>? losses = null)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = DateTime.UtcNow;
        string? lossesJson = null;
        if (losses is not null) lock (losses) lossesJson = JsonSerializer.Serialize(losses, JsonSerializerOptions.Web);
        await db.QueuedRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.State, state).SetProperty(r => r.Error, error).SetProperty(r => r.EndedUtc, now)
            .SetProperty(r => r.LossesJson, r => lossesJson ?? r.LossesJson), ct);
        // Rows ended long ago go: their runs are in the store (or ended without one), and status falls back to it.
        var old = now - DurableRuns.EndedRetention;
        await db.QueuedRuns.Where(r => r.EndedUtc < old && r.State != RunStates.Queued && r.State != RunStates.Running).ExecuteDeleteAsync(ct);
        metrics.Ended(state);
        logger.LogInformation("API run {Id} {State}", runId, state);
    }
}
