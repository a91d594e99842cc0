namespace Segmenter.Web.Services;

/// <summary>
/// The session's memory (scoped: one per circuit), as the global <see cref="ResidentBudget"/> sees it: what the
/// session holds that can be had again (the result's label map, the trained model, encoded PNGs, the edits' codes, the
/// colour baselines' label maps, the decoded image once its upload is stored), when it was last used, and the release
/// of all of it at once under the <see cref="SessionGate"/>. A visitor whose connection stayed down past the grace
/// (<see cref="SessionCircuitHandler"/>) keeps the circuit, and with it the session, for minutes in case they come
/// back; the session lets its job and its reloadable state go at once, or as soon as the cancelled job has ended.
/// The cluster table and the plot's points stay, and the label map is read back from its spill, so a visitor who comes
/// back sees the page as it was. A closed circuit needs none of this: its scope's disposal frees the session.
/// </summary>
public sealed class SessionMemory : IResidentHolder, IDisposable
{
    private readonly SessionGate _gate;
    private readonly SessionImage _images;
    private readonly CurrentResult _current;
    private readonly ClusterEditing _edits;
    private readonly SessionAssessment _assessment;
    private readonly SessionJobs _jobs;
    private readonly ResidentBudget? _budget;
    private readonly ILogger<SessionMemory> _logger;
    private long _lastActiveTicks = DateTime.UtcNow.Ticks;
    private volatile bool _visitorGone;

    public SessionMemory(SessionGate gate, SessionImage images, CurrentResult current, ClusterEditing edits, SessionAssessment assessment,
        SessionJobs jobs, ILogger<SessionMemory> logger, ResidentBudget? budget = null)
    {
        (_gate, _images, _current, _edits, _assessment, _jobs, _logger, _budget) = (gate, images, current, edits, assessment, jobs, logger, budget);
        images.Reloaded += Touch;
        // A new image is held (an upload's bytes and pixels): the budget is kept over every session, this one kept last.
        images.Replaced += Touch;
        // A new run is shown: the session is in use, and the run's working buffers are garbage now.
        current.NewRunShown += () => { Touch(); _budget?.ScheduleReturn(); };
        jobs.JobEnded += ReleaseIfVisitorGone;
        // Scoring and drawing lease the result after its job ended: a visitor gone meanwhile is released when they end.
        current.Unleased += ReleaseIfVisitorGone;
        // Every job's garbage (a run's baselines, scores and stored PNGs come after its result is shown) is handed back
        // once it has ended.
        jobs.JobEnded += () => _budget?.ScheduleReturn();
        _budget?.Register(this);
    }

    public DateTime LastActiveUtc => new(Interlocked.Read(ref _lastActiveTicks), DateTimeKind.Utc);

    public long ResidentBytes
    {
        get
        {
            lock (_gate.Lock)
                return _current.ResidentBytesLocked() + _images.ResidentBytesLocked() + _edits.EditCodeBytes + _assessment.BaselineLabelBytes;
        }
    }

    /// <summary>
    /// Spills the result's label map and drops the encoded PNGs, the trained model, the edits' per-pixel codes, the colour
    /// baselines' label maps and the decoded image when its upload is stored (the cluster table and plots stay); nothing
    /// while busy.
    /// </summary>
    public long ReleaseResident()
    {
        lock (_gate.Lock)
        {
            if (_gate.Ended || _jobs.IsBusy || _current.IsLeasedLocked) return 0;
            var released = _images.ReleaseLocked();
            return (released is null ? 0 : released.Pixels.LongLength) + _current.ReleaseLocked() + _edits.ReleaseEditCodes()
                + _assessment.ReleaseBaselineLabels();
        }
    }

    /// <summary>The session was used: it is the last the budget releases, and the budget is kept.</summary>
    internal void Touch()
    {
        Interlocked.Exchange(ref _lastActiveTicks, DateTime.UtcNow.Ticks);
        _budget?.Enforce(keep: this);
    }

    /// <summary>The connection stayed down past the grace: cancel the job and release what can be reloaded.</summary>
    public void LetGoAfterDisconnect()
    {
        _visitorGone = true;
        _jobs.Cancel();
        ReleaseIfVisitorGone();   // at once when idle; else the job's end calls it when the cancelled job has ended
    }

    /// <summary>
    /// The circuit closed (the tab was closed or navigated away): the job is cancelled; the circuit's scope is disposed
    /// right after, which ends the session and frees all of it, so nothing is spilled first.
    /// </summary>
    public void Leave()
    {
        _visitorGone = true;
        _jobs.Cancel();
    }

    /// <summary>The connection is back: state released meanwhile is reloaded on demand, later jobs keep theirs.</summary>
    public void VisitorReturned() => _visitorGone = false;

    private void ReleaseIfVisitorGone()
    {
        if (!_visitorGone || _jobs.IsBusy) return;
        long freed = ReleaseResident();
        if (freed <= 0) return;
        _logger.LogInformation("Released {Freed:0.0} MB of a session whose connection stayed down", freed / 1048576.0);
        _budget?.ScheduleReturn();   // hand the memory back to the OS, not only to the heap
    }

    public void Dispose()
    {
        _gate.End();
        _budget?.Unregister(this);
    }
}
