using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>
/// The session's three job kinds as the visitor starts them (train, re-cluster, sweep k) and the attention look-up:
/// each validates, then hands its work to the <see cref="RunCoordinator"/>; a finished run is published to the
/// result holder and the history.
/// </summary>
public sealed partial class SegmentationSession
{
    /// <summary>Validates, then submits the run; returns false (with <see cref="Error"/> set) when refused.</summary>
    public Task<bool> StartAsync()
    {
        if (_disposed || IsBusy) return Task.FromResult(false);
        var image = Image;
        if (image is null) { _changes.Fail("Choose an image first."); return Task.FromResult(false); }
        var parameters = Form.ToParameters();
        if (parameters is null) { _changes.Fail(Form.Errors.First()); return Task.FromResult(false); }
        try { parameters.Validate(image.PixelCount); }
        catch (ArgumentException ex) { _changes.Fail(ex.Message); return Task.FromResult(false); }

        _runs.BeginTraining(parameters.Epochs);
        _changes.Error = null;
        var imageName = ImageName;
        return Task.FromResult(_runs.Launch(SessionActivity.Training, $"{imageName} k={parameters.Clusters}",
            ct => TrainAsync(image, imageName, parameters, ct), LogOf(parameters, imageName)));
    }

    /// <summary>
    /// Re-clusters the current result's trained codes with the form's cluster count (no training); refused unless
    /// only clustering settings changed on the same image (<see cref="ReclusterBlocker"/>). The loss curve stays the trained one.
    /// </summary>
    public Task<bool> ReclusterAsync()
    {
        if (_disposed || IsBusy) return Task.FromResult(false);
        if (ReclusterBlocker is { } why) { _changes.Fail(why); return Task.FromResult(false); }
        var parameters = Form.ToParameters()!;
        var imageName = ImageName;
        _runs.BeginOther();
        _changes.Error = null;
        return Task.FromResult(_runs.Launch(SessionActivity.Reclustering, $"{imageName} re-cluster k={parameters.Clusters}",
            ct => WithCurrentResult("re-clustering", (previous, image) =>
            {
                _runs.EnterStage(PipelineStage.Clustering);
                var result = ReclusterOrRetrain(previous, image, parameters, ct);
                Publish(result, image, imageName, ct);
            }),
            LogOf(parameters, imageName)));
    }

    /// <summary>Sweeps k = 2…12 on the current result's codes (no training) and suggests a k; runs as a job.</summary>
    public Task<bool> SuggestKAsync()
    {
        if (_disposed || IsBusy) return Task.FromResult(false);
        if (Result is null) { _changes.Fail("Train once first: the k sweep uses the trained codes."); return Task.FromResult(false); }
        _changes.Error = null;
        _runs.BeginOther();
        return Task.FromResult(_runs.Launch(SessionActivity.SweepingK, $"{ImageName} k sweep",
            ct => WithCurrentResult("sweeping k", (result, _) =>
            {
                _runs.EnterStage(PipelineStage.Clustering);
                var points = TrainedModel.Of(result).SweepK(2, Math.Min(12, ParameterForm.MaxClusters), ct);
                Sweep = points.Count > 0 ? KSweep.From(points) : null;
            })));
    }

    /// <summary>Puts the suggested k in the form and re-clusters with it.</summary>
    public Task<bool> ApplySuggestedKAsync()
    {
        if (Sweep is not { } sweep || IsBusy) return Task.FromResult(false);
        Form.Clusters = sweep.SuggestedK;
        return ReclusterAsync();
    }

    /// <summary>Shows how pixel (x, y) of the current result's image attends over its window (window 1: nothing to show).</summary>
    public async Task<bool> InspectAttentionAsync(int x, int y)
    {
        _ = Image; // a released image (and the result's) is decoded again first
        if (_disposed || _results.Lease() is not ({ } result, { } image)) return false;
        try
        {
            x = Math.Clamp(x, 0, image.Width - 1);
            y = Math.Clamp(y, 0, image.Height - 1);
            var maps = await Task.Run(() => TrainedModel.Of(result).AttentionAt(x, y));
            Attention = new AttentionInsight(x, y, result.Parameters.Window, maps);
            _changes.RaiseChanged();
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or ObjectDisposedException)
        {
            _changes.Fail($"Could not read the attention: {ex.Message}");
            return false;
        }
        finally { _results.ReleaseLease(); }
    }

    private JobLog LogOf(SegmentationParameters parameters, string? imageName) => new(parameters, imageName, () => Result?.Timings);

    private Task TrainAsync(RgbImage image, string? imageName, SegmentationParameters parameters, CancellationToken ct)
        => Task.Run(() =>
        {
            _runs.MarkRunning();
            try
            {
                var result = SegmentationPipeline.Run(image, parameters, ApplyProgress, ct, LivePreviewOptions.Default);
                // A new model: the old sweep and attention belong to the old codes.
                Sweep = null;
                Attention = null;
                Publish(result, image, imageName, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (ArgumentException ex) { _changes.Error = ex.Message; throw; }
            catch (TrainingFailedException ex) { _changes.Error = ex.Message; throw; }
            catch (Exception ex) { _changes.Error = $"The run failed: {ex.Message}"; throw; }
        }, CancellationToken.None);

    /// <summary>Runs work on the pool against the current result, which stays alive (leased) until the work ends.</summary>
    private Task WithCurrentResult(string what, Action<SegmentationResult, RgbImage> work)
        => Task.Run(() =>
        {
            _ = Image; // a released image (and the result's) is decoded again first
            if (_disposed) throw new OperationCanceledException();
            if (_results.Lease() is not ({ } result, { } image))
            {
                _changes.Error = "There is no trained result any more; train again.";
                throw new InvalidOperationException(_changes.Error);
            }
            _runs.MarkRunning();
            try { work(result, image); }
            catch (OperationCanceledException) { throw; }
            catch (Exception ex) { _changes.Error = $"{char.ToUpperInvariant(what[0])}{what[1..]} failed: {ex.Message}"; throw; }
            finally { _results.ReleaseLease(); }
        }, CancellationToken.None);

    /// <summary>
    /// Makes a finished run the current result and adds its history row (values and thumbnail) in one change, so the
    /// page shows both at once, with its segmented PNG already encoded; then the <see cref="RunPublisher"/> scores it
    /// on a sample of its codes, beside the colour baselines, and stores it, filling the row's scores in. None of that
    /// delays the image and plots, which the page draws from the result as soon as it is current. The job ends after
    /// the scores, so they are there when the run reads as finished.
    /// </summary>
    private void Publish(SegmentationResult result, RgbImage image, string? imageName, CancellationToken ct = default)
    {
        int? seeds;
        lock (_gate) { seeds = _stabilitySeedsRequested; _stabilitySeedsRequested = null; }
        var target = new PageTarget(this, result, image, imageName);
        try { _publisher.Publish(new FinishedRun(result, image, imageName) { StabilitySeeds = seeds }, target, ct); }
        finally { target.End(); }
    }

    /// <summary>
    /// The page's side of publishing a run or an edit: shown as soon as it is drawn (the result, its history row),
    /// its scores filled into the row as they land, stored under the browser's history id.
    /// </summary>
    private sealed class PageTarget(SegmentationSession session, SegmentationResult result, RgbImage image, string? imageName, bool edit = false) : PublishTarget
    {
        private bool _leased;

        /// <summary>The run's history row as far as it is known.</summary>
        public RunRecord? Row { get; private set; }

        public override string? Owner => session.History.Owner;
        public override BaselineCache Baselines => session._baselines;
        public override byte[] OriginalOf(RgbImage original) => session._images.OriginalBytesOf(original) ?? ImageLoader.EncodePng(original);

        public override bool Drawn(PublishedImages drawn)
        {
            Row = RecordOf(result, imageName, drawn);
            if (edit) return true;
            Row = session.History.Add(Row);
            session.ReplaceResult(result, image, drawn.MeanPng);
            session._runs.EnterStage(PipelineStage.Done);
            if (session._disposed || !session._results.LeaseIfCurrent(result)) return false;
            _leased = true;
            return true;
        }

        public override void Scored(RunQuality quality)
        {
            // The row's own scores (silhouette, Davies–Bouldin) are shown first: the baselines and seeds take longer.
            Row = Row! with { Silhouette = quality.Silhouette, DaviesBouldin = quality.DaviesBouldin };
            if (session.History.Update(Row)) session._changes.RaiseChanged();
        }

        public override void SeedsStarting() => session._runs.EnterStage(PipelineStage.Training);

        public override void Assessed(RunAssessment assessment)
        {
            var views = new SteeringViews(result, assessment.Baselines, assessment.Stability);
            Volatile.Write(ref session._steering, views);
            Row = Row! with { Scores = views.Scores };
        }

        public override bool AssessmentFailed(Exception failure) => true;

        public override void Stored(string id)
        {
            // Stored: the store holds the upload's bytes now, the session only their hash.
            session._images.UploadStored(image);
            session._results.MarkStored(result, id);
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
            try { if (Row is { } row && _leased && session.History.Update(row)) session._changes.RaiseChanged(); }
            finally { if (_leased) session._results.ReleaseLease(); }
        }
    }

    private void ReplaceResult(SegmentationResult result, RgbImage image, byte[]? meanPng = null, bool modelInMemory = true)
    {
        _results.Replace(result, image, modelInMemory, meanPng);
        Touch();
        _budget?.ScheduleReturn(); // the run's working buffers are garbage now
    }
}
