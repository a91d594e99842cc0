using Segmenter.Engine.Steering;

namespace Segmenter.Web.Services;

public sealed partial class SegmentationSession
{
    private Scribbles? _scribbles;

    /// <summary>
    /// The strokes of the last stroke-guided re-clustering that was applied, or null; kept so the run store can
    /// persist them beside the run.
    /// </summary>
    public Scribbles? CurrentScribbles => Volatile.Read(ref _scribbles);

    /// <summary>
    /// Re-labels the held run's pixels by the strokes (issue 15, part 2; see <see cref="StrokeClassifier"/> for why not
    /// <see cref="ScribbleClustering"/>): one segment per used brush. Takes one brush label per
    /// pixel, row-major at the result's size (0 = none, 1…<see cref="Scribbles.MaxBrushes"/>). No training; the
    /// result is published as an edit, so Undo goes back. A label map of the wrong size, a value that is not a
    /// brush or no stroke at all goes to the error channel and changes nothing.
    /// </summary>
    public async Task<bool> ReclusterWithScribblesAsync(byte[] brushOfPixel)
    {
        if (Result is not { } shown)
        {
            _signals.Fail("Run a segmentation first: strokes re-cluster the current run's codes.");
            return false;
        }
        Scribbles strokes;
        try { strokes = new Scribbles(shown.Width, shown.Height, brushOfPixel); }
        catch (ArgumentException ex) { _signals.Fail($"The strokes were not applied: {ex.Message}"); return false; }

        return await ApplyStrokesAsync(strokes, fromJob: false);
    }

    /// <summary>Re-labels by the strokes as an edit and keeps them; also how a fine-tune publishes its result.</summary>
    private async Task<bool> ApplyStrokesAsync(Scribbles strokes, bool fromJob)
    {
        bool applied = await EditAsync($"strokes of {strokes.Brushes().Length} brush(es)", state =>
        {
            var next = StrokeClassifier.Classify(state.Codes, state.Dims, strokes);
            return (next, () => state.History.Apply(next), null);
        }, fromJob);
        if (applied) Volatile.Write(ref _scribbles, strokes);
        return applied;
    }
}
