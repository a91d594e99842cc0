using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Segmenter.Web.Store;

namespace Segmenter.Web.Services;

/// <summary>
/// The page's side of publishing (scoped: one per circuit): a finished run of the session's jobs, or an edit of one,
/// goes through the shared <see cref="RunPublisher"/> with the page's <see cref="PublishTarget"/>: shown the moment it
/// is drawn (the result and its history row in one change), its scores filled into the row as they land, stored
/// under the browser's history id.
/// </summary>
public sealed class SessionPublisher(RunPublisher publisher, SessionGate gate, SessionImage images, CurrentResult current,
    RunHistory history, SessionAssessment assessment, SessionJobs jobs, SessionChanges changes)
{
    private readonly RunPublisher _publisher = publisher;
    private readonly SessionGate _gate = gate;
    private readonly SessionImage _images = images;
    private readonly CurrentResult _current = current;
    private readonly RunHistory _history = history;
    private readonly SessionAssessment _assessment = assessment;
    private readonly SessionJobs _jobs = jobs;
    private readonly SessionChanges _changes = changes;

    /// <summary>
    /// Makes a finished run the current result and adds its history row (values and thumbnail) in one change, so the
    /// page shows both at once, with its segmented PNG already encoded; then scores it on a sample of its codes, beside
    /// the colour baselines, and stores it, filling the row's scores in. None of that delays the image and plots, which
    /// the page draws from the result as soon as it is current. The job ends after the scores, so they are there when
    /// the run reads as finished. Runs on the job's thread.
    /// </summary>
    internal void PublishRun(SegmentationResult result, RgbImage image, string? imageName, CancellationToken ct)
    {
        var seeds = _assessment.TakeRequestedSeeds();
        var target = new PageTarget(this, result, image, imageName, edit: false);
        try { _publisher.Publish(new FinishedRun(result, image, imageName) { StabilitySeeds = seeds }, target, ct); }
        finally { target.End(); }
    }

    /// <summary>
    /// Stores <paramref name="result"/> (an edit of the run <paramref name="parentRunId"/>, captured by the caller before
    /// the edit replaced it) with the strokes it was made by, if any, as a run, adds it to the history and returns its
    /// id; null when runs are not stored (no history id) or the store failed (then the page says why and the edit stays).
    /// </summary>
    internal async Task<string?> StoreEditAsync(SegmentationResult result, string editSummary, string? parentRunId, Scribbles? strokes)
    {
        if (_history.Owner is null || _images.Reload() is not { } image) return null;
        var target = new PageTarget(this, result, image, _images.Name, edit: true);
        var id = await Task.Run(() => _publisher.Publish(new FinishedRun(result, image, _images.Name)
        {
            Edit = new RunEdit(parentRunId, editSummary), Strokes = strokes,
        }, target));
        if (id is null || target.Row is not { } stored) return null;
        _history.Add(stored);
        _changes.RaiseChanged();
        return id;
    }

    /// <summary>A result's history row as it is shown the moment it lands (scores and run id come later).</summary>
    private static RunRecord RecordOf(SegmentationResult result, string? imageName, PublishedImages drawn)
        => new(0, DateTime.UtcNow, imageName, result.Parameters, result.Reclustered, result.EpochLosses.ToArray(),
            result.FinalLoss, result.Inertia, double.NaN, double.NaN, result.Timings, drawn.ThumbnailPng is { } t ? Thumbnails.DataUrl(t) : null);

    private sealed class PageTarget(SessionPublisher session, SegmentationResult result, RgbImage image, string? imageName, bool edit) : PublishTarget
    {
        private bool _leased;

        /// <summary>The run's history row as far as it is known.</summary>
        public RunRecord? Row { get; private set; }

        public override string? Owner => session._history.Owner;
        public override BaselineCache Baselines => session._assessment.Baselines;
        public override byte[] OriginalOf(RgbImage original) => session._images.OriginalBytesOf(original) ?? ImageLoader.EncodePng(original);

        public override bool Drawn(PublishedImages drawn)
        {
            Row = RecordOf(result, imageName, drawn);
            if (edit) return true;
            Row = session._history.Add(Row);
            session._current.Replace(result, image, meanPng: drawn.MeanPng);
            session._jobs.EnterStage(PipelineStage.Done);
            if (session._gate.Ended || !session._current.LeaseIfCurrent(result)) return false;
            _leased = true;
            return true;
        }

        public override void Scored(RunQuality quality)
        {
            // The row's own scores (silhouette, Davies–Bouldin) are shown first: the baselines and seeds take longer.
            Row = Row! with { Silhouette = quality.Silhouette, DaviesBouldin = quality.DaviesBouldin };
            if (session._history.Update(Row)) session._changes.RaiseChanged();
        }

        public override void SeedsStarting() => session._jobs.EnterStage(PipelineStage.Training);

        public override void Assessed(RunAssessment assessment)
        {
            var views = new SteeringViews(result, assessment.Baselines, assessment.Stability);
            session._assessment.Show(views);
            Row = Row! with { Scores = views.Scores };
        }

        public override bool AssessmentFailed(Exception failure) => true;

        public override void Stored(string id)
        {
            // Stored: the store holds the upload's bytes now, the session only their hash.
            session._images.UploadStored(image);
            session._current.MarkStored(result, id);
            Row = Row! with { RunId = id };
        }

        public override bool StoreFailed(Exception failure)
        {
            session._changes.Fail($"{(edit ? "The edit was applied" : "The run finished")} but could not be stored, so it will not be in the history after a reload: {failure.Message}");
            return true;
        }

        /// <summary>The run's publishing ended: its row carries every score it got (and its id, when stored).</summary>
        public void End()
        {
            if (edit) return;
            try { if (Row is { } row && _leased && session._history.Update(row)) session._changes.RaiseChanged(); }
            finally { if (_leased) session._current.ReleaseLease(); }
        }
    }
}
