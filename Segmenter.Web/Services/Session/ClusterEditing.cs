using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;

namespace Segmenter.Web.Services;

/// <summary>
/// The hand edits of one trained run: its pixels' codes, encoded once on the first edit, and the undo/redo history of
/// its clusterings. <see cref="Shown"/> is the result that shows the history's current state.
/// </summary>
internal sealed record ClusterEditState(SegmentationResult Shown, float[] Codes, int Dims, EditHistory<SteeredClusters> History);

/// <summary>
/// The edits of the current run (scoped: one per circuit): merge, split, undo and redo, a stroke-guided re-clustering,
/// and the stroke fine-tune, which trains the held run's network a few more epochs with the strokes as an extra loss
/// (<see cref="TrainedModel.FineTune"/>) as a session job, its epochs continuing the loss curve, and then applies the
/// strokes as an edit, so Undo goes back to the labels before. Each edit is computed off the render thread, shown as a
/// result of the same model, and stored as a run of its own (<see cref="SessionPublisher"/>). Its state is one
/// volatile reference and one flag; edits apply one at a time.
/// </summary>
public sealed class ClusterEditing(SessionGate gate, CurrentResult current, SessionImage images, SessionJobs jobs,
    ResultEdits edits, SessionPublisher publishing, SessionChanges changes)
{
    private ClusterEditState? _edits;

    /// <summary>The edits of the current result, or null (none yet, or a new run replaced the edited one).</summary>
    private ClusterEditState? Edits => Volatile.Read(ref _edits) is { } e && ReferenceEquals(e.Shown, current.Result) ? e : null;

    /// <summary>Bytes the edits' per-pixel codes hold (for the memory budget).</summary>
    internal long EditCodeBytes => Volatile.Read(ref _edits) is { } e ? 4L * e.Codes.Length : 0;

    /// <summary>Forgets the edits (with the trained model gone they cannot go on); returns the bytes freed.</summary>
    internal long ReleaseEditCodes() => Interlocked.Exchange(ref _edits, null) is { } e ? 4L * e.Codes.Length : 0;

    public bool IsEditingClusters => edits.IsApplying;

    /// <summary>Whether the current result's clusters can be merged or split now.</summary>
    public bool CanEditClusters => !gate.Ended && current.Result is not null && !jobs.IsBusy && !IsEditingClusters && !current.TrainedModelReleased;

    public bool CanUndoEdit => CanEditClusters && Edits?.History.CanUndo == true;
    public bool CanRedoEdit => CanEditClusters && Edits?.History.CanRedo == true;

    /// <summary>Joins the chosen clusters into one (its centre recomputed); no training.</summary>
    public Task<bool> MergeClustersAsync(IReadOnlyCollection<int> clusters) => EditAsync($"merge clusters {string.Join(", ", clusters)}", state =>
    {
        var next = ClusterEdits.Merge(state.History.Current, state.Codes, state.Dims, clusters);
        return (next, () => state.History.Apply(next), null);
    });

    /// <summary>Splits one cluster into 2…<see cref="ClusterEdits.MaxSplitParts"/> with k-means on its own codes; no training.</summary>
    public Task<bool> SplitClusterAsync(int cluster, int parts) => EditAsync($"split cluster {cluster} into {parts}", state =>
    {
        var next = ClusterEdits.Split(state.History.Current, state.Codes, state.Dims, cluster, parts,
            state.Shown.Parameters.Seed, SegmentationParameters.MaxClusters);
        return (next, () => state.History.Apply(next), null);
    });

    /// <summary>Back to the clustering before the last edit.</summary>
    public Task<bool> UndoEditAsync() => EditAsync("undo", state =>
    {
        if (!state.History.CanUndo) throw new InvalidOperationException("There is no edit to undo.");
        var next = state.History.Undo();
        return (next, null, () => state.History.Redo());
    });

    /// <summary>Forward to the clustering of the last undone edit.</summary>
    public Task<bool> RedoEditAsync() => EditAsync("redo", state =>
    {
        if (!state.History.CanRedo) throw new InvalidOperationException("There is no undone edit to redo.");
        var next = state.History.Redo();
        return (next, null, () => state.History.Undo());
    });

    /// <summary>
    /// Computes an edit of the clusters (<see cref="ResultEdits"/>) and, once it is shown, makes its state the edits'
    /// current one; a refused edit leaves the result and the history as they were.
    /// </summary>
    /// <param name="fromJob">True when a session job (the stroke fine-tune) publishes its own edit: the session is busy with that very job.</param>
    private Task<bool> EditAsync(string summary, Func<ClusterEditState, (SteeredClusters Next, Action? Commit, Action? Rollback)> edit,
        Scribbles? strokes = null, bool fromJob = false)
    {
        if (jobs.IsBusy && !fromJob) { changes.Fail("Wait for the current job to finish (or cancel it) before editing the clusters."); return Task.FromResult(false); }
        ClusterEditState? state = null;
        return edits.ApplyAsync(summary,
            (result, image) =>
            {
                (state, var edited) = Apply(result, image, edit);
                return edited;
            },
            noResult: "Run a segmentation first: merge, split and undo edit the current run's clusters.",
            shown: edited => Volatile.Write(ref _edits, state! with { Shown = edited }),
            strokes);
    }

    private (ClusterEditState State, SegmentationResult Edited) Apply(SegmentationResult result, RgbImage image,
        Func<ClusterEditState, (SteeredClusters Next, Action? Commit, Action? Rollback)> edit)
    {
        var state = Volatile.Read(ref _edits) is { } e && ReferenceEquals(e.Shown, result) ? e : StartEditing(result, image);
        var (next, commit, rollback) = edit(state);
        try
        {
            var edited = TrainedModel.Of(result).Relabel(result, next, state.Codes, state.Dims, CancellationToken.None);
            commit?.Invoke();
            return (state, edited);
        }
        catch
        {
            rollback?.Invoke();
            throw;
        }
    }

    private ClusterEditState StartEditing(SegmentationResult result, RgbImage image)
    {
        var (codes, dims) = TrainedModel.Of(result).PixelCodes(CancellationToken.None);
        var initial = SteeredClusters.FromLabels(codes, dims, StabilitySeeds.Ints(result.CodeLabels), result.Clusters.Count);
        return new ClusterEditState(result, codes, dims, new EditHistory<SteeredClusters>(initial));
    }

    private Scribbles? _scribbles;

    /// <summary>
    /// The strokes of the last stroke-guided re-clustering that was applied, or null; its edited run stores them
    /// (<c>strokes.png</c> under the run's link and the API).
    /// </summary>
    public Scribbles? CurrentScribbles => Volatile.Read(ref _scribbles);

    /// <summary>
    /// Re-clusters the held run's codes with the strokes as constraints (<see cref="ScribbleClustering"/>,
    /// the same method as the API's <c>scribbles</c>): one segment per used brush, and the shown run's other clusters
    /// stay free (k is the shown cluster count, raised to the brush count). Takes one brush label per
    /// pixel, row-major at the result's size (0 = none, 1…<see cref="Scribbles.MaxBrushes"/>). No training; the
    /// result is published as an edit, so Undo goes back. A label map of the wrong size, a value that is not a
    /// brush or no stroke at all goes to the error channel and changes nothing.
    /// </summary>
    public async Task<bool> ReclusterWithScribblesAsync(byte[] brushOfPixel)
    {
        if (current.Result is not { } shown)
        {
            changes.Fail("Run a segmentation first: strokes re-cluster the current run's codes.");
            return false;
        }
        Scribbles strokes;
        try { strokes = new Scribbles(shown.Width, shown.Height, brushOfPixel); }
        catch (ArgumentException ex) { changes.Fail($"The strokes were not applied: {ex.Message}"); return false; }

        return await ApplyStrokesAsync(strokes, fromJob: false);
    }

    /// <summary>Re-labels by the strokes as an edit and keeps them; also how a fine-tune publishes its result.</summary>
    private async Task<bool> ApplyStrokesAsync(Scribbles strokes, bool fromJob)
    {
        bool applied = await EditAsync($"strokes of {strokes.Brushes().Length} brush(es)", state =>
        {
            var next = TrainedModel.Of(state.Shown).ReclusterWithStrokes(state.Codes, state.Dims, strokes, state.History.Current.Count);
            return (next, () => state.History.Apply(next), null);
        }, strokes, fromJob);
        if (applied) Volatile.Write(ref _scribbles, strokes);
        return applied;
    }

    /// <summary>Whether the held run's network can be fine-tuned now (a result with its trained model, nothing running).</summary>
    public bool CanFineTune => CanEditClusters && current.Result?.Model is { IsDisposed: false };

    /// <summary>
    /// Starts the fine-tune job with one brush label per pixel (as <see cref="ReclusterWithScribblesAsync"/>) and
    /// <paramref name="epochs"/> epochs. Strokes or epochs that cannot be used go to the error channel and change
    /// nothing; false when refused.
    /// </summary>
    public Task<bool> FineTuneWithScribblesAsync(byte[] brushOfPixel, int epochs)
    {
        if (!CanFineTune || current.Result is not { } shown)
        {
            changes.Fail("Fine-tuning needs a finished run whose trained model is still held, and no other job or edit running.");
            return Task.FromResult(false);
        }
        Scribbles strokes;
        var settings = new FineTuneSettings(epochs);
        try
        {
            strokes = new Scribbles(shown.Width, shown.Height, brushOfPixel);
            TrainedModel.Of(shown).FineTuneStrokes(strokes, settings);
        }
        catch (ArgumentException ex) { changes.Fail($"The fine-tune did not start: {ex.Message}"); return Task.FromResult(false); }

        jobs.BeginOther();
        changes.Error = null;
        return Task.FromResult(jobs.Launch(SessionActivity.FineTuning, $"{images.Name} fine-tune {epochs} epochs",
            ct => FineTuneJobAsync(strokes, settings, ct)));
    }

    private async Task FineTuneJobAsync(Scribbles strokes, FineTuneSettings settings, CancellationToken ct)
    {
        await current.WorkOnAsync("fine-tuning", jobs, (result, _) =>
        {
            // The fine-tune's epochs continue the curve the run drew, in epoch number and in time.
            var before = jobs.EpochLosses;
            int epochsBefore = before.Count;
            double secondsBefore = before.Count > 0 ? before[^1].ElapsedSeconds : 0;
            jobs.EnterStage(PipelineStage.Training);
            try
            {
                TrainedModel.Of(result).FineTune(strokes, settings, loss => jobs.ApplyProgress(new EpochCompleted(loss with
                {
                    Epoch = epochsBefore + loss.Epoch,
                    TotalEpochs = epochsBefore + loss.TotalEpochs,
                    ElapsedSeconds = secondsBefore + loss.ElapsedSeconds,
                })), ct);
            }
            catch
            {
                // A cancelled or failed fine-tune has put the network back: its epochs are gone from the curve too,
                // and the codes the edits hold stay right.
                jobs.RewindLosses(before);
                throw;
            }
            // Every code changed: the edits' codes are stale and encoded again.
            ReleaseEditCodes();
        });
        jobs.EnterStage(PipelineStage.Clustering);
        if (!await ApplyStrokesAsync(strokes, fromJob: true))
            throw new InvalidOperationException(changes.Error ?? "The fine-tuned strokes were not applied.");
    }

    /// <summary>
    /// Stores <paramref name="result"/> (an edit of the run <paramref name="parentRunId"/>) as a run of its own and adds
    /// it to the history; returns its id, or null when runs are not stored or the store failed.
    /// </summary>
    public Task<string?> StoreEditedRunAsync(SegmentationResult result, string editSummary, string? parentRunId, Scribbles? strokes = null)
        => publishing.StoreEditAsync(result, editSummary, parentRunId, strokes);
}
