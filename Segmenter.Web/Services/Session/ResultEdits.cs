using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;

namespace Segmenter.Web.Services;

/// <summary>
/// Changes to the shown result that need no job (a merge, split, undo or redo, a re-labelling by strokes, a regions
/// re-cut), applied one at a time (scoped: one per circuit): computed off the render thread on a lease of the result,
/// shown only while that result is still the current one, its assessment carried over, then stored as an edit of the
/// run it came from.
/// </summary>
public sealed class ResultEdits(CurrentResult current, SessionAssessment assessment, SessionPublisher publishing, SessionChanges changes)
{
    private int _applying; // 1 while an edit is computed

    public bool IsApplying => Volatile.Read(ref _applying) == 1;

    /// <param name="summary">What the edit did, stored with it ("merge clusters 1, 2", "re-cut at 8 regions").</param>
    /// <param name="compute">The edited result from the shown one and its image; off the render thread.</param>
    /// <param name="shown">Runs once the edited result is the shown one, before it is stored.</param>
    /// <param name="noResult">The message when there is no result to edit.</param>
    /// <param name="strokes">The strokes the edit was made by, stored with its run.</param>
    public async Task<bool> ApplyAsync(string summary, Func<SegmentationResult, RgbImage, SegmentationResult> compute,
        string noResult, Action<SegmentationResult>? shown = null, Scribbles? strokes = null)
    {
        if (Interlocked.Exchange(ref _applying, 1) == 1) { changes.Fail("The last edit is still being applied."); return false; }
        var lease = current.Lease();
        try
        {
            if (lease is not var (result, image)) { changes.Fail(noResult); return false; }
            changes.Error = null;
            changes.RaiseChanged();
            var parentRunId = current.StoredIdOf(result);
            var edited = await Task.Run(() => compute(result, image));
            if (!current.ReplaceIfCurrent(result, edited, image))
            {
                changes.Fail("A new run replaced the one being edited; the edit was dropped.");
                return false;
            }
            shown?.Invoke(edited);
            assessment.CarryOver(result, edited);
            await publishing.StoreEditAsync(edited, summary, parentRunId, strokes);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or ObjectDisposedException)
        {
            changes.Fail($"The edit ({summary}) was not applied: {ex.Message}");
            return false;
        }
        finally
        {
            if (lease is not null) current.ReleaseLease();
            Volatile.Write(ref _applying, 0);
            changes.RaiseChanged();
        }
    }
}
