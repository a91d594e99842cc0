using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>What a job's end is logged with: the run's parameters, the image's name and, once done, its stage timings.</summary>
internal sealed record JobLog(SegmentationParameters Parameters, string? ImageName, Func<StageTimings?> Timings);

/// <summary>
/// The session's jobs and their progress (scoped: one per circuit), run through the shared <see cref="JobRunner"/>:
/// which kind runs (training, re-clustering, k sweep, fine-tune), its state and place in line, the pipeline's stage,
/// the epoch losses, the live preview and the time left; each job's end is logged with its parameters and timings.
/// One job at a time per session. Its state is written by the job's thread and read by the page: single fields and
/// volatile references, no lock.
/// </summary>
public sealed class SessionJobs(JobRunner runner, SessionChanges signals, ILogger<SessionJobs> logger) : IDisposable
{
    private EpochLoss[] _losses = [];
    private JobHandle? _job;

    public SessionState State { get; private set; } = SessionState.Idle;
    public PipelineStage? Stage { get; private set; }
    public int QueuePosition { get; private set; }
    public int PlannedEpochs { get; private set; }
    public IReadOnlyList<EpochLoss> EpochLosses => Volatile.Read(ref _losses);

    /// <summary>The running model's segmentation of a downscaled copy, refreshed while training; null before the first.</summary>
    public PreviewImage? Preview { get; private set; }

    /// <summary>What the current (or last) job does.</summary>
    public SessionActivity Activity { get; private set; } = SessionActivity.Training;

    public bool IsBusy => State is SessionState.Queued or SessionState.Running;

    /// <summary>Every slot of the runner is taken now: a job submitted now waits in the queue.</summary>
    internal bool WouldQueue => runner.Running >= runner.MaxConcurrent;

    /// <summary>Raised after a job's end has been applied (state, stage, error, change notification).</summary>
    internal event Action? JobEnded;

    /// <summary>Seconds left in training, from the pace of the epochs so far.</summary>
    public double? SecondsLeft
    {
        get
        {
            var l = EpochLosses;
            if (l.Count == 0) return null;
            var last = l[^1];
            return last.ElapsedSeconds / last.Epoch * Math.Max(0, last.TotalEpochs - last.Epoch);
        }
    }

    /// <summary>A new training run: no losses, no preview, no stage yet.</summary>
    internal void BeginTraining(int plannedEpochs)
    {
        Volatile.Write(ref _losses, []);
        Preview = null;
        PlannedEpochs = plannedEpochs;
        Stage = null;
    }

    /// <summary>A job other than training starts: the losses stay the trained model's.</summary>
    internal void BeginOther() => Stage = null;

    /// <summary>A stored run was opened: its losses and a finished state, as if it had just run here.</summary>
    internal void ShowFinished(IReadOnlyList<EpochLoss> losses, int plannedEpochs)
    {
        Volatile.Write(ref _losses, losses.ToArray());
        PlannedEpochs = plannedEpochs;
        State = SessionState.Finished;
        Stage = PipelineStage.Done;
    }

    /// <summary>Epochs that were undone (a cancelled fine-tune puts its network back): the curve is what it was before them.</summary>
    internal void RewindLosses(IReadOnlyList<EpochLoss> before) => Volatile.Write(ref _losses, before.ToArray());

    /// <summary>The model must be trained again inside a re-clustering job: the curve starts over.</summary>
    internal void RestartTraining()
    {
        Volatile.Write(ref _losses, []);
        EnterStage(PipelineStage.Training);
    }

    internal void EnterStage(PipelineStage stage)
    {
        Stage = stage;
        signals.RaiseChanged();
    }

    /// <summary>The job's work has started on its thread.</summary>
    internal void MarkRunning()
    {
        State = SessionState.Running;
        QueuePosition = 0;
        signals.RaiseChanged();
    }

    /// <summary>Submits work to the runner with the queue/running bookkeeping; false (with an error) when refused.</summary>
    internal bool Launch(SessionActivity activity, string name, Func<CancellationToken, Task> work, JobLog? log = null)
    {
        JobHandle job;
        try
        {
            job = runner.Submit(name, work);
        }
        catch (ServerBusyException ex)
        {
            signals.Fail(ex.Message);
            return false;
        }
        Activity = activity;
        _job = job;
        if (job.State == JobState.Queued)
        {
            State = SessionState.Queued;
            QueuePosition = job.QueuePosition;
        }
        job.Changed += OnJobChanged;
        if (job.State == JobState.Running) MarkRunning(); // it took a free slot at once
        _ = job.Completion.ContinueWith(t => Ended(job, t.Result, log), TaskScheduler.Default);
        signals.RaiseChanged();
        return true;
    }

    /// <summary>Stops the queued or running job; the engine notices within one batch.</summary>
    public void Cancel() => _job?.Cancel();

    /// <summary>Applies one pipeline event (called by the engine on its thread; tests call it directly).</summary>
    public void ApplyProgress(PipelineEvent e)
    {
        switch (e)
        {
            case StageChanged s:
                Stage = s.Stage;
                break;
            case EpochCompleted { Loss: var loss }:
                Stage = PipelineStage.Training;
                PlannedEpochs = loss.TotalEpochs;
                var current = Volatile.Read(ref _losses);
                Volatile.Write(ref _losses, [.. current, loss]);
                break;
            case PreviewReady { Frame: var frame }:
                Preview = PreviewImage.From(frame);
                break;
        }
        signals.RaiseChanged();
    }

    private void OnJobChanged(JobHandle job)
    {
        if (job.State == JobState.Queued && QueuePosition != job.QueuePosition)
        {
            QueuePosition = job.QueuePosition;
            signals.RaiseChanged();
        }
        // The job holds a slot: the session is running even before its work reports (the runner may hold it first).
        else if (job.State == JobState.Running && State is not SessionState.Running) MarkRunning();
    }

    private void Ended(JobHandle job, JobState outcome, JobLog? log)
    {
        if (log is not null) LogEnd(outcome, log);
        job.Changed -= OnJobChanged;
        // The job's work captured the image it ran on: holding the handle would keep that image alive after a release.
        Interlocked.CompareExchange(ref _job, null, job);
        State = outcome switch
        {
            JobState.Completed => SessionState.Finished,
            JobState.Cancelled => SessionState.Cancelled,
            _ => SessionState.Failed,
        };
        QueuePosition = 0;
        if (outcome == JobState.Completed) Stage = PipelineStage.Done;
        if (outcome == JobState.Failed)
        {
            signals.Error ??= "The run failed.";
            signals.RaiseError(signals.Error);
        }
        signals.RaiseChanged();
        JobEnded?.Invoke();
    }

    private void LogEnd(JobState outcome, JobLog log)
    {
        var t = outcome == JobState.Completed ? log.Timings() : null;
        var losses = EpochLosses;
        logger.LogInformation(
            "Segmentation {Activity} {Outcome}: image={Image} {Settings} " +
            "epochsDone={EpochsDone} finalLoss={FinalLoss} decode={DecodeSeconds:F2}s train={TrainSeconds:F2}s encode={EncodeSeconds:F2}s cluster={ClusterSeconds:F2}s render={RenderSeconds:F2}s total={TotalSeconds:F2}s error={Error}",
            Activity, outcome, log.ImageName, SettingFields.Describe(log.Parameters),
            losses.Count, losses.Count > 0 ? losses[^1].Loss : double.NaN,
            t?.DecodeSeconds, t?.TrainSeconds, t?.EncodeSeconds, t?.ClusterSeconds, t?.RenderSeconds, t?.TotalSeconds, signals.Error);
    }

    /// <summary>The circuit went away: its job stops.</summary>
    public void Dispose() => Cancel();
}
