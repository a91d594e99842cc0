using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Segmenter.Web.Store;

namespace Segmenter.Web.Services;

/// <summary>
/// Edited results (merge, split, undo, stroke re-cluster) stored as runs of their own: a history row and a
/// <c>/runs/{id}</c> link, with the run they were edited from and what was done (<see cref="RunEdit"/>).
/// </summary>
public sealed partial class SegmentationSession
{
    /// <summary>
    /// Stores <paramref name="result"/> (an edit of the run <paramref name="parentRunId"/>, captured by the caller
    /// before the edit replaced it) with the strokes it was made by, if any, as a run, adds it to the history and returns its id; null when runs are not
    /// stored (no history id) or the store failed (then the page says why and the edit itself stays).
    /// </summary>
    public async Task<string?> StoreEditedRunAsync(SegmentationResult result, string editSummary, string? parentRunId, Scribbles? strokes = null)
    {
        if (_store is null || History.Owner is null || Image is not { } image) return null;
        var target = new PageTarget(this, result, image, ImageName, edit: true);
        var id = await Task.Run(() => _publisher.Publish(new FinishedRun(result, image, ImageName) { Edit = new RunEdit(parentRunId, editSummary), Strokes = strokes }, target));
        if (id is null || target.Row is not { } stored) return null;
        History.Add(stored);
        _changes.RaiseChanged();
        return id;
    }
}
