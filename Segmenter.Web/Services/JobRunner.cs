using Microsoft.Extensions.Options;

namespace Segmenter.Web.Services;

public enum JobState { Queued, Running, Completed, Failed, Cancelled }

/// <summary>Thrown by <see cref="JobRunner.Submit"/> when every slot and queue place is taken.</summary>
public sealed class ServerBusyException() : Exception(BusyMessage)
{
    public const string BusyMessage = "The server is busy; try again in a minute.";
}

/// <summary>What the runner tells listeners when a job leaves it.</summary>
public sealed record JobFinished(long Id, string Name, JobState Outcome, TimeSpan Waited, TimeSpan Ran, Exception? Error);

/// <summary>One submitted piece of work: its place in line, its state, and a way to cancel it.</summary>
public sealed class JobHandle
{
    private readonly JobRunner _runner;
    private readonly TaskCompletionSource<JobState> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    internal readonly CancellationTokenSource Cts = new();
    // Dropped when the job ends: a handle is remembered after its job (an API run's state), the work's captures (its image) need not be.
    internal Func<CancellationToken, Task>? Work;
    internal DateTime SubmittedUtc = DateTime.UtcNow, StartedUtc;

    internal JobHandle(JobRunner runner, long id, string name, Func<CancellationToken, Task> work)
    {
        _runner = runner; Id = id; Name = name; Work = work;
    }

    public long Id { get; }
    public string Name { get; }
    public JobState State { get; internal set; } = JobState.Queued;

    /// <summary>1-based place in the queue while queued; 0 once running or finished.</summary>
    public int QueuePosition { get; internal set; }

    /// <summary>Raised (on a pool thread) when the place in line moves or the job starts or ends.</summary>
    public event Action<JobHandle>? Changed;

    /// <summary>Completes with the job's outcome; never faults.</summary>
    public Task<JobState> Completion => _done.Task;

    /// <summary>A queued job leaves the queue at once; a running job's token is cancelled.</summary>
    public void Cancel() => _runner.Cancel(this);

    internal void RaiseChanged()
    {
        try { Changed?.Invoke(this); } catch { /* a listener's failure must not stop the runner */ }
    }

    internal void Finish(JobState outcome)
    {
        State = outcome;
        QueuePosition = 0;
        Work = null;
        _done.TrySetResult(outcome);
        RaiseChanged();
        Cts.Dispose();
    }
}

/// <summary>
/// Runs submitted work with bounded concurrency and a bounded queue. Generic over the work (a delegate taking
/// a cancellation token), so it knows nothing of the pipeline and tests can feed it fakes.
/// </summary>
public sealed class JobRunner
{
    private readonly object _gate = new();
    private readonly LinkedList<JobHandle> _queue = new();
    private readonly HashSet<JobHandle> _running = [];
    private readonly ILogger<JobRunner> _logger;
    private long _nextId;

    public JobRunner(IOptions<SegmenterOptions> options, ILogger<JobRunner> logger)
    {
        MaxConcurrent = Math.Max(1, options.Value.MaxConcurrentJobs);
        MaxQueue = Math.Max(0, options.Value.MaxQueueLength);
        _logger = logger;
    }

    public int MaxConcurrent { get; }
    public int MaxQueue { get; }
    public int Running { get { lock (_gate) return _running.Count; } }
    public int Queued { get { lock (_gate) return _queue.Count; } }

    /// <summary>Raised once for every job that completes, fails or is cancelled.</summary>
    public event Action<JobFinished>? JobEnded;

    /// <summary>Starts the work now if a slot is free, else queues it; throws <see cref="ServerBusyException"/> when the queue is full.</summary>
    /// <summary>
    /// Awaited in the job's slot just before its work, with the job's token. Tests hold a slot or fail a job here
    /// (a real seam: the runner's queueing, cancellation and outcomes stay real); null in the app.
    /// </summary>
    public Func<JobHandle, CancellationToken, Task>? BeforeWork { get; set; }

    public JobHandle Submit(string name, Func<CancellationToken, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        JobHandle job;
        bool start;
        lock (_gate)
        {
            job = new JobHandle(this, ++_nextId, name, work);
            start = _running.Count < MaxConcurrent;
            if (start)
            {
                _running.Add(job);
                job.State = JobState.Running;
            }
            else if (_queue.Count >= MaxQueue)
            {
                _logger.LogWarning("Job {JobId} ({JobName}) refused: {Running} running, {Queued} queued", job.Id, name, _running.Count, _queue.Count);
                throw new ServerBusyException();
            }
            else
            {
                _queue.AddLast(job);
                job.QueuePosition = _queue.Count;
            }
        }
        if (start) Launch(job);
        else _logger.LogInformation("Job {JobId} ({JobName}) queued at position {Position}", job.Id, name, job.QueuePosition);
        return job;
    }

    internal void Cancel(JobHandle job)
    {
        bool wasQueued;
        List<JobHandle> moved;
        lock (_gate)
        {
            wasQueued = _queue.Remove(job);
            moved = wasQueued ? Renumber() : [];
            if (!wasQueued && job.State == JobState.Running)
            {
                try { job.Cts.Cancel(); } catch (ObjectDisposedException) { }
            }
        }
        if (!wasQueued) return;
        job.Finish(JobState.Cancelled);
        Report(job, JobState.Cancelled, null);
        foreach (var j in moved) j.RaiseChanged();
    }

    private void Launch(JobHandle job)
    {
        job.StartedUtc = DateTime.UtcNow;
        job.QueuePosition = 0;
        job.RaiseChanged();
        _ = Task.Run(async () =>
        {
            JobState outcome;
            Exception? error = null;
            try
            {
                if (BeforeWork is { } hook) await hook(job, job.Cts.Token).ConfigureAwait(false);
                await job.Work!(job.Cts.Token).ConfigureAwait(false);
                outcome = job.Cts.IsCancellationRequested ? JobState.Cancelled : JobState.Completed;
            }
            catch (OperationCanceledException) when (job.Cts.IsCancellationRequested)
            {
                outcome = JobState.Cancelled;
            }
            catch (Exception ex)
            {
                outcome = JobState.Failed;
                error = ex;
            }
            Finished(job, outcome, error);
        });
    }

    private void Finished(JobHandle job, JobState outcome, Exception? error)
    {
        JobHandle? next = null;
        List<JobHandle> moved;
        lock (_gate)
        {
            _running.Remove(job);
            if (_queue.First is { } first)
            {
                next = first.Value;
                _queue.RemoveFirst();
                next.State = JobState.Running;
                _running.Add(next);
            }
            moved = Renumber();
        }
        job.Finish(outcome);
        Report(job, outcome, error);
        if (next is not null) Launch(next);
        foreach (var j in moved) j.RaiseChanged();
    }

    /// <summary>Gives every queued job its 1-based place; returns those whose place moved. Call under the lock.</summary>
    private List<JobHandle> Renumber()
    {
        var moved = new List<JobHandle>();
        int i = 1;
        foreach (var j in _queue)
        {
            if (j.QueuePosition != i) { j.QueuePosition = i; moved.Add(j); }
            i++;
        }
        return moved;
    }

    private void Report(JobHandle job, JobState outcome, Exception? error)
    {
        var now = DateTime.UtcNow;
        var waited = (job.StartedUtc == default ? now : job.StartedUtc) - job.SubmittedUtc;
        var ran = job.StartedUtc == default ? TimeSpan.Zero : now - job.StartedUtc;
        _logger.LogInformation("Job {JobId} ({JobName}) {Outcome} after waiting {WaitedSeconds:F2}s and running {RanSeconds:F2}s",
            job.Id, job.Name, outcome, waited.TotalSeconds, ran.TotalSeconds);
        try { JobEnded?.Invoke(new JobFinished(job.Id, job.Name, outcome, waited, ran, error)); }
        catch (Exception ex) { _logger.LogError(ex, "A JobEnded listener failed"); }
    }
}
