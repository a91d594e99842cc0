using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Regions;
using Segmenter.Web.Store;

namespace Segmenter.Web.Services;

/// <summary>
/// The runs the visitor starts (scoped: one per circuit): train (or a stability run), re-cluster, sweep k, look at a
/// pixel's attention, and open a stored run to continue from it. Each validates, then hands its work to the
/// <see cref="SessionJobs"/>; a finished run is published by the <see cref="SessionPublisher"/>. The k sweep and the
/// attention belong to the current model's codes: a new model clears them.
/// </summary>
public sealed class SessionRuns(SessionGate gate, SessionImage images, SessionSettings settings, SessionJobs jobs, CurrentResult current,
    SessionAssessment assessment, SessionPublisher publishing, ResultEdits edits, SessionChanges changes, ILogger<SessionRuns> logger, RunStore? store = null)
{
    private ParameterForm Form => settings.Form;

    /// <summary>The k sweep of the current trained codes, or null (cleared when a new model is trained).</summary>
    public KSweep? Sweep { get; private set; }

    /// <summary>The last clicked pixel's attention, or null (cleared when a new model is trained).</summary>
    public AttentionInsight? Attention { get; private set; }

    /// <summary>The stored run this session continued from (opened with "Open in the bench"), or null.</summary>
    public string? ContinuedFrom { get; private set; }

    public bool CanStart => !gate.Ended && images.HasImage && !jobs.IsBusy && Form.IsValid && settings.ParameterProblem is null;

    /// <summary>Why the current form cannot be re-clustered from the current result (then it must be trained), or null.</summary>
    public string? ReclusterBlocker
    {
        get
        {
            if (gate.Ended) return "The session has ended.";
            var result = current.Result;
            if (result is null) return "Train once first: re-clustering reuses a trained model.";
            if (!current.RanOnCurrentImage) return "The image changed since the last run: train again.";
            var p = Form.ToParameters();
            if (p is null) return Form.Errors.First();
            if (p.Training != result.Parameters.Training) return "Training settings changed since the last run (only clustering settings may change: clusters, smoothing and the k-means settings): train again.";
            return settings.ParameterProblem;
        }
    }

    /// <summary>True when only clustering settings differ from the current result's, on the same image: re-clustering is enough.</summary>
    public bool CanRecluster => !jobs.IsBusy && ReclusterBlocker is null;

    /// <summary>Validates, then submits the run; returns false (with the error set) when refused.</summary>
    /// <remarks>
    /// The image is decoded when the run starts, not when it is submitted: a run that waits in the queue holds the
    /// upload's bytes only (the decoded pixels of a 40 MP photo are ten times their JPEG), so a crowd of queued visitors
    /// does not hold a crowd of decoded photos.
    /// </remarks>
    public Task<bool> StartAsync()
    {
        if (gate.Ended || jobs.IsBusy) return Task.FromResult(false);
        if (!images.HasImage || images.Size is not (var width, var height)) { changes.Fail("Choose an image first."); return Task.FromResult(false); }
        var parameters = Form.ToParameters();
        if (parameters is null) { changes.Fail(Form.Errors.First()); return Task.FromResult(false); }
        try { parameters.Validate((long)width * height); }
        catch (ArgumentException ex) { changes.Fail(ex.Message); return Task.FromResult(false); }

        jobs.BeginTraining(parameters.Epochs);
        changes.Error = null;
        var imageName = images.Name;
        int generation = images.Generation;
        // Released before the submission, not after: a run that starts at once decodes again, which is correct, while a
        // release after it had started would leave its result on an image the session no longer holds.
        if (jobs.WouldQueue) images.ReleaseWhileQueued();
        return Task.FromResult(jobs.Launch(SessionActivity.Training, $"{imageName} k={parameters.Clusters}",
            ct => TrainAsync(generation, imageName, parameters, ct), LogOf(parameters, imageName)));
    }

    /// <summary>Trains <see cref="SessionAssessment.StabilitySeedCount"/> seeds as one job; the first becomes the run, the others measure its stability.</summary>
    public async Task<bool> StartStabilityAsync()
    {
        if (StabilitySeeds.Check(assessment.StabilitySeedCount) is { } error) { changes.Fail(error); return false; }
        assessment.RequestSeeds(assessment.StabilitySeedCount);
        bool started = await StartAsync();
        if (!started) assessment.RequestSeeds(null);
        return started;
    }

    /// <summary>
    /// Re-clusters the current result's trained codes with the form's cluster count (no training); refused unless
    /// only clustering settings changed on the same image (<see cref="ReclusterBlocker"/>). The loss curve stays the trained one.
    /// </summary>
    public Task<bool> ReclusterAsync()
    {
        if (gate.Ended || jobs.IsBusy) return Task.FromResult(false);
        if (ReclusterBlocker is { } why) { changes.Fail(why); return Task.FromResult(false); }
        return Task.FromResult(Recluster(Form.ToParameters()!, $"re-cluster k={Form.Clusters}"));
    }

    /// <summary>The current result's region count and the counts it can be re-cut at, or null when it is not made of regions.</summary>
    public (int Cut, int Min, int Max)? RegionsCut
        => current.Result is { Parameters.Segments: Segments.Regions } r
            // A run opened from the store has no tree yet: any count the form allows, its tree is made on the first re-cut.
            ? (r.Parameters.Clusters, SegmentationParameters.MinClusters, r.RegionsAvailable ?? FormLimits.MaxClusters)
            : null;

    /// <summary>
    /// Re-cuts the current regions result's merge tree at <paramref name="count"/> regions (the regions slider), with no
    /// training and no k-means. While the run's trained model is held, the cut is an edit: computed off the render
    /// thread, shown at once, and stored as an edit of the run it was cut from (drawn, not scored: the colour baselines
    /// would cost more than the cut). A run opened from the store has no model: it is re-clustered as a job, trained
    /// again first as Re-cluster does. The form's cluster count follows, so a link or a Train carries the cut. Refused
    /// when the result is not made of regions, the count is out of its range, or a job or another re-cut is running.
    /// </summary>
    public Task<bool> RecutRegionsAsync(int count)
    {
        if (gate.Ended || jobs.IsBusy) return Task.FromResult(false);
        if (current.Result is not { } result || RegionsCut is not (var cut, var min, var max))
        {
            changes.Fail("Only a run made with segments = regions can be re-cut.");
            return Task.FromResult(false);
        }
        if (!current.RanOnCurrentImage) { changes.Fail("The image changed since the last run: train again."); return Task.FromResult(false); }
        if (count < min || count > max) { changes.Fail($"The regions can be cut at {min}–{max}; got {count}."); return Task.FromResult(false); }
        if (count == cut) return Task.FromResult(false);
        Form.Clusters = count;
        var parameters = result.Parameters with { Clusters = count };
        return current.TrainedModelReleased
            ? Task.FromResult(Recluster(parameters, $"re-cut at {count} regions"))
            : RecutHeldAsync(parameters);
    }

    private Task<bool> RecutHeldAsync(SegmentationParameters parameters) =>
        edits.ApplyAsync($"re-cut at {parameters.Clusters} regions", (result, _) => TrainedModel.Of(result).Cluster(parameters),
            noResult: "Only a run made with segments = regions can be re-cut.");

    private bool Recluster(SegmentationParameters parameters, string what)
    {
        var imageName = images.Name;
        jobs.BeginOther();
        changes.Error = null;
        return jobs.Launch(SessionActivity.Reclustering, $"{imageName} {what}",
            ct => current.WorkOnAsync("re-clustering", jobs, (previous, image) =>
            {
                jobs.EnterStage(PipelineStage.Clustering);
                var result = ReclusterOrRetrain(previous, image, parameters, ct);
                publishing.PublishRun(result, image, imageName, ct);
            }),
            LogOf(parameters, imageName));
    }

    /// <summary>Sweeps k = 2…12 on the current result's codes (no training) and suggests a k; runs as a job.</summary>
    public Task<bool> SuggestKAsync()
    {
        if (gate.Ended || jobs.IsBusy) return Task.FromResult(false);
        if (current.Result is null) { changes.Fail("Train once first: the k sweep uses the trained codes."); return Task.FromResult(false); }
        changes.Error = null;
        jobs.BeginOther();
        return Task.FromResult(jobs.Launch(SessionActivity.SweepingK, $"{images.Name} k sweep",
            ct => current.WorkOnAsync("sweeping k", jobs, (result, _) =>
            {
                jobs.EnterStage(PipelineStage.Clustering);
                var points = TrainedModel.Of(result).SweepK(2, Math.Min(12, FormLimits.MaxClusters), ct);
                Sweep = points.Count > 0 ? KSweep.From(points) : null;
            })));
    }

    /// <summary>Puts the suggested k in the form and re-clusters with it.</summary>
    public Task<bool> ApplySuggestedKAsync()
    {
        if (Sweep is not { } sweep || jobs.IsBusy) return Task.FromResult(false);
        Form.Clusters = sweep.SuggestedK;
        return ReclusterAsync();
    }

    /// <summary>Shows how pixel (x, y) of the current result's image attends over its window (window 1: nothing to show).</summary>
    public async Task<bool> InspectAttentionAsync(int x, int y)
    {
        images.Reload(); // a released image (and the result's) is decoded again first
        if (gate.Ended || current.Lease() is not ({ } result, { } image)) return false;
        try
        {
            x = Math.Clamp(x, 0, image.Width - 1);
            y = Math.Clamp(y, 0, image.Height - 1);
            var maps = await Task.Run(() => TrainedModel.Of(result).AttentionAt(x, y));
            Attention = new AttentionInsight(x, y, result.Parameters.Window, maps);
            changes.RaiseChanged();
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or ObjectDisposedException)
        {
            changes.Fail($"Could not read the attention: {ex.Message}");
            return false;
        }
        finally { current.ReleaseLease(); }
    }

    /// <summary>
    /// "Open in the bench": the stored run's image, settings and result become this session's, to continue from
    /// there. Its trained model is not stored, so re-clustering it first retrains with the same seed.
    /// </summary>
    public async Task<bool> OpenStoredRunAsync(string id)
    {
        if (store is null || jobs.IsBusy) return false;
        var view = await store.GetAsync(id);
        var original = view is null ? null : await store.GetImageAsync(view.ImageSha256);
        var labels = view is null ? null : await store.GetLabelsAsync(id);
        if (view is null || original is null || labels is null)
        {
            changes.Fail($"There is no stored run \"{id}\": it may have been deleted or evicted by the store's retention.");
            return false;
        }
        var s = view.Summary;
        if (!await images.LoadUploadAsync(new MemoryStream(original), s.ImageName ?? "image")) return false;
        var d = s.Details;
        RunSettings.Fill(Form, d.Parameters);
        var image = images.Current!;
        if (image.Width == s.Width && image.Height == s.Height)
        {
            var result = new SegmentationResult(d.Parameters, s.Width, s.Height, labels, d.ClusterTable, d.EpochLosses, d.Inertia,
                d.KMeansIterations, d.Timings, view.Plot, model: null) { Reclustered = s.Reclustered };
            current.Replace(result, image, modelInMemory: false);
            jobs.ShowFinished(d.EpochLosses, d.Parameters.Epochs);
        }
        ContinuedFrom = id;
        changes.RaiseChanged();
        return true;
    }

    private JobLog LogOf(SegmentationParameters parameters, string? imageName) => new(parameters, imageName, () => current.Result?.Timings);

    private Task TrainAsync(int generation, string? imageName, SegmentationParameters parameters, CancellationToken ct)
        => Task.Run(() =>
        {
            jobs.MarkRunning();
            try
            {
                // Decoded now, in the run's slot (the queue held the bytes); the visitor cannot change the image while the run is queued.
                var image = images.Reload();
                if (image is null || images.Generation != generation)
                    throw new InvalidOperationException(changes.Error ?? "the image is no longer there; choose it again");
                var result = SegmentationPipeline.Run(image, parameters, jobs.ApplyProgress, ct, LivePreviewOptions.Default);
                // A new model: the old sweep and attention belong to the old codes.
                Sweep = null;
                Attention = null;
                publishing.PublishRun(result, image, imageName, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
            catch (ArgumentException ex) { changes.Error = ex.Message; throw; }
            catch (TrainingFailedException ex) { changes.Error = ex.Message; throw; }
            catch (Exception ex) { changes.Error = $"The run failed: {ex.Message}"; throw; }
        }, CancellationToken.None);

    /// <summary>Re-clusters the trained codes, or, when the model was released, trains the same model again (same seed) with the new k.</summary>
    private SegmentationResult ReclusterOrRetrain(SegmentationResult previous, RgbImage image, SegmentationParameters parameters, CancellationToken ct)
    {
        if (!current.ModelReleased) return TrainedModel.Of(previous).Cluster(parameters, ct);
        logger.LogInformation("Re-clustering a run whose trained model is not in memory: training it again with seed {Seed}", parameters.Seed);
        jobs.RestartTraining();
        return SegmentationPipeline.Run(image, parameters, jobs.ApplyProgress, ct, LivePreviewOptions.Default);
    }
}
