using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;

namespace Segmenter.Web.Services;

public sealed partial class SegmentationSession
{
    private Scribbles? _scribbles;

    /// <summary>
    /// The strokes of the last stroke-guided re-clustering that was applied, or null; its edited run stores them
    /// (<c>strokes.png</c> under the run's link and the API).
    /// </summary>
    public Scribbles? CurrentScribbles => Volatile.Read(ref _scribbles);

    /// <summary>
    /// Re-clusters the held run's codes with the strokes as constraints (issue 15, part 2; <see cref="ScribbleClustering"/>,
    /// the same method as the API's <c>scribbles</c>): one segment per used brush, and the shown run's other clusters
    /// stay free (k is the shown cluster count, raised to the brush count). Takes one brush label per
    /// pixel, row-major at the result's size (0 = none, 1…<see cref="Scribbles.MaxBrushes"/>). No training; the
    /// result is published as an edit, so Undo goes back. A label map of the wrong size, a value that is not a
    /// brush or no stroke at all goes to the error channel and changes nothing.
    /// </summary>
    public async Task<bool> ReclusterWithScribblesAsync(byte[] brushOfPixel)
    {
        if (Result is not { } shown)
        {
            _changes.Fail("Run a segmentation first: strokes re-cluster the current run's codes.");
            return false;
        }
        Scribbles strokes;
        try { strokes = new Scribbles(shown.Width, shown.Height, brushOfPixel); }
        catch (ArgumentException ex) { _changes.Fail($"The strokes were not applied: {ex.Message}"); return false; }

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
}
