using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;

namespace Segmenter.Web.Services;

/// <summary>
/// The hand edits of one trained run (issue 15, part 1): its pixels' codes, encoded once on the first edit, and the
/// undo/redo history of its clusterings. <see cref="Shown"/> is the result that shows the history's current state.
/// </summary>
internal sealed record ClusterEditState(SegmentationResult Shown, float[] Codes, int Dims, EditHistory<SteeredClusters> History);

public sealed partial class SegmentationSession
{
    private ClusterEditState? _edits;
    private int _editing; // 1 while an edit is computed: edits apply one at a time

    /// <summary>The edits of the current result, or null (none yet, or a new run replaced the edited one).</summary>
    private ClusterEditState? Edits => Volatile.Read(ref _edits) is { } e && ReferenceEquals(e.Shown, Result) ? e : null;

    /// <summary>Bytes the edits' per-pixel codes hold (for the memory budget).</summary>
    private long EditCodeBytes => Volatile.Read(ref _edits) is { } e ? 4L * e.Codes.Length : 0;

    /// <summary>Forgets the edits (with the trained model gone they cannot go on); returns the bytes freed.</summary>
    private long ReleaseEditCodes() => Interlocked.Exchange(ref _edits, null) is { } e ? 4L * e.Codes.Length : 0;

    public bool IsEditingClusters => Volatile.Read(ref _editing) == 1;

    /// <summary>Whether the current result's clusters can be merged or split now.</summary>
    public bool CanEditClusters => !_disposed && Result is not null && !IsBusy && !IsEditingClusters && !_results.TrainedModelReleased;

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
    /// Computes an edit off the render thread, shows it as a result of the same model (image, distribution, plots,
    /// report), and only then records it; a refused edit leaves the result and the history as they were. The
    /// <paramref name="strokes"/> an edit was made by are stored with its run.
    /// </summary>
    /// <param name="fromJob">True when a session job (the stroke fine-tune) publishes its own edit: the session is busy with that very job.</param>
    private async Task<bool> EditAsync(string summary, Func<ClusterEditState, (SteeredClusters Next, Action? Commit, Action? Rollback)> edit,
        Scribbles? strokes = null, bool fromJob = false)
    {
        if (IsBusy && !fromJob) { _changes.Fail("Wait for the current job to finish (or cancel it) before editing the clusters."); return false; }
        if (Interlocked.Exchange(ref _editing, 1) == 1) { _changes.Fail("The last edit is still being applied."); return false; }
        var lease = _results.Lease();
        try
        {
            if (lease is not var (result, image))
            {
                _changes.Fail("Run a segmentation first: merge, split and undo edit the current run's clusters.");
                return false;
            }
            _changes.Error = null;
            _changes.RaiseChanged();
            var parentRunId = StoredIdOf(result);
            var (state, edited) = await Task.Run(() => Apply(result, image, edit));
            if (!_results.ReplaceIfCurrent(result, edited, image))
            {
                _changes.Fail("A new run replaced the one being edited; the edit was dropped.");
                return false;
            }
            Volatile.Write(ref _edits, state with { Shown = edited });
            CarrySteering(result, edited);
            await StoreEditedRunAsync(edited, summary, parentRunId, strokes);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            _changes.Fail($"The edit was not applied: {ex.Message}");
            return false;
        }
        finally
        {
            if (lease is not null) _results.ReleaseLease();
            Volatile.Write(ref _editing, 0);
            _changes.RaiseChanged();
        }
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

    /// <summary>
    /// The views measured beside the edited run stay (baselines and stability describe the trained run); a
    /// ground-truth score is taken again on the edited labels.
    /// </summary>
    private void CarrySteering(SegmentationResult before, SegmentationResult edited)
    {
        if (Volatile.Read(ref _steering) is not { } s || !ReferenceEquals(s.Result, before)) return;
        Volatile.Write(ref _steering, s with
        {
            Result = edited,
            TruthScore = s.Truth is { } truth ? TruthScore.Of(truth, StabilitySeeds.Ints(edited.Labels)) : null,
        });
    }
}
