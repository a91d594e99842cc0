using Segmenter.Engine.Steering;

namespace Segmenter.Web.Services;

/// <summary>
/// Re-clustering the current run with the user's strokes (issue 15, part 2): the page collects the strokes on the
/// client and sends the whole label map once; the re-clustering is an edit, so undo/redo and the one error channel
/// work as for merge and split.
/// </summary>
public sealed partial class SegmentationSession
{
    private Scribbles? _scribbles;

    /// <summary>The strokes of the last accepted re-cluster with strokes (for the run store to persist), or null.</summary>
    public Scribbles? CurrentScribbles => Volatile.Read(ref _scribbles);

    /// <summary>
    /// Re-clusters with a label map of the shown image's size: one byte per pixel, row by row, 0 for none or the
    /// brush 1…<see cref="Scribbles.MaxBrushes"/>. A wrong size or value is refused with a message; nothing is lost.
    /// </summary>
    public Task<bool> ReclusterWithScribblesAsync(byte[] brushOfPixel)
    {
        if (Result is not { } shown)
        {
            _signals.Fail("Run a segmentation first: strokes steer the current run's clusters.");
            return Task.FromResult(false);
        }
        try { return ReclusterWithScribblesAsync(new Scribbles(shown.Width, shown.Height, brushOfPixel)); }
        catch (ArgumentException ex)
        {
            _signals.Fail($"The strokes were not applied: {ex.Message}");
            return Task.FromResult(false);
        }
    }

    /// <summary>Re-clusters the held run's pixel codes with the strokes pinned to their brushes' clusters; no training.</summary>
    public async Task<bool> ReclusterWithScribblesAsync(Scribbles scribbles)
    {
        bool applied = await EditAsync($"re-cluster with strokes of {scribbles.Brushes().Length} brush(es)", state =>
        {
            if (scribbles.Width != state.Shown.Width || scribbles.Height != state.Shown.Height)
                throw new ArgumentException($"The strokes are {scribbles.Width}×{scribbles.Height}; the image is {state.Shown.Width}×{state.Shown.Height}.");
            var next = ScribbleClustering.Recluster(state.Codes, state.Dims, scribbles, state.History.Current.Count,
                state.Shown.Parameters.Seed);
            return (next, () => state.History.Apply(next), null);
        });
        if (applied) Volatile.Write(ref _scribbles, scribbles);
        return applied;
    }
}
