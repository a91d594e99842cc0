using Segmenter.Engine.Imaging;
using Segmenter.Engine.Steering;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// The image a run works on and the image it was given. Above <see cref="SegmentationParameters.MaxPixels"/> the model
/// trains, encodes and clusters an area-averaged copy of at most that many pixels (one window-3 encoder pass over 24
/// megapixels costs minutes); everything in code space lives in <see cref="Working"/>'s coordinates. This is the one
/// place where the two coordinate systems meet: full-resolution input (strokes, clicks) maps down here, and labels
/// map up here (<see cref="GuidedLabelUpsampling"/>). Below the limit both are the same image and nothing changes.
/// </summary>
public sealed class WorkingResolution
{
    private WorkingResolution(RgbImage full, RgbImage working) { Full = full; Working = working; }

    /// <summary>The image the run was given; results' labels are its size.</summary>
    public RgbImage Full { get; }

    /// <summary>The image the model trains on, encodes and clusters: <see cref="Full"/> itself unless it is downscaled.</summary>
    public RgbImage Working { get; }

    public bool IsDownscaled => !ReferenceEquals(Full, Working);

    /// <summary>The full image as it is when it has at most <paramref name="maxPixels"/> pixels (0 = no limit), else an area-averaged copy within it.</summary>
    public static WorkingResolution For(RgbImage full, int maxPixels)
    {
        var (w, h) = SizeFor(full.Width, full.Height, maxPixels);
        return w == full.Width && h == full.Height ? new(full, full) : new(full, LivePreview.DownscaleTo(full, w, h));
    }

    /// <summary>
    /// The size a run on a <paramref name="width"/>×<paramref name="height"/> image works at: the image's own at most
    /// <paramref name="maxPixels"/> pixels (0 = no limit), else the same aspect scaled to fit within the limit.
    /// </summary>
    public static (int Width, int Height) SizeFor(int width, int height, int maxPixels)
    {
        long pixels = (long)width * height;
        if (maxPixels <= 0 || pixels <= maxPixels) return (width, height);
        double f = Math.Sqrt((double)maxPixels / pixels);
        int w = Math.Max(1, (int)(width * f)), h = Math.Max(1, (int)(height * f));
        // A strip thinner than 1/f keeps its one column (or row), which would overshoot the limit: its length takes what is left.
        if (w == 1) h = Math.Min(height, maxPixels);
        if (h == 1) w = Math.Min(width, maxPixels);
        return (w, h);
    }

    /// <summary>Working-resolution labels as full-resolution labels (the same array when not downscaled).</summary>
    public byte[] ToFull(byte[] workingLabels) => IsDownscaled ? GuidedLabelUpsampling.Upsample(workingLabels, Working, Full) : workingLabels;

    /// <summary>
    /// The one place a model's working-resolution labels become a result's: the full-resolution label map and its
    /// cluster summaries (pixel counts and mean colours of the full image), and the plot, drawn in code space from the
    /// working labels with the working copy's own counts.
    /// </summary>
    internal (byte[] Labels, IReadOnlyList<ClusterSummary> Clusters, PlotSample Plot) Publish(byte[] workingLabels, int k,
        Func<IReadOnlyList<ClusterSummary>, PlotSample> drawPlot)
    {
        var labels = ToFull(workingLabels);
        var clusters = ClusterSummary.Of(Full, labels, k);
        var plot = drawPlot(IsDownscaled ? ClusterSummary.Of(Working, workingLabels, k) : clusters);
        return (labels, clusters, plot);
    }

    /// <summary>A full-resolution pixel's working-resolution pixel (the cell its centre falls in).</summary>
    public (int X, int Y) ToWorking(int x, int y) => IsDownscaled
        ? (CellOf(x, Full.Width, Working.Width), CellOf(y, Full.Height, Working.Height))
        : (x, y);

    /// <summary>
    /// The cell, among <paramref name="smallCount"/> across, that full-resolution position <paramref name="i"/> of
    /// <paramref name="fullCount"/> has its centre in: ⌊(i + ½)·small/full⌋, in integers. The one rule for a pixel's
    /// cell: clicks map down by it and the label upsampling starts from it (<see cref="GuidedLabelUpsampling"/>).
    /// </summary>
    internal static int CellOf(int i, int fullCount, int smallCount) => (int)Math.Min(smallCount - 1, (2L * i + 1) * smallCount / (2L * fullCount));

    /// <summary>
    /// Strokes painted on the full image as strokes on the working copy: a working pixel takes the brush most of its
    /// full-resolution pixels carry (stroked ones only; the lower brush on a tie), none when none of them is stroked.
    /// </summary>
    public Scribbles ToWorking(Scribbles strokes)
    {
        if (strokes.Width != Full.Width || strokes.Height != Full.Height)
            throw new ArgumentException($"The strokes are {strokes.Width}×{strokes.Height}, the image {Full.Width}×{Full.Height}.");
        if (!IsDownscaled) return strokes;
        int w = Working.Width, h = Working.Height, fw = Full.Width;
        var brushes = new byte[w * h];
        var source = strokes.BrushOfPixel;
        Parallel.For(0, h, y =>
        {
            Span<int> votes = stackalloc int[Scribbles.MaxBrushes + 1];
            int y0 = (int)((long)y * Full.Height / h), y1 = Math.Max(y0 + 1, (int)((long)(y + 1) * Full.Height / h));
            for (int x = 0; x < w; x++)
            {
                votes.Clear();
                int x0 = (int)((long)x * fw / w), x1 = Math.Max(x0 + 1, (int)((long)(x + 1) * fw / w));
                for (int sy = y0; sy < y1; sy++)
                for (int sx = x0; sx < x1; sx++) votes[source[(long)sy * fw + sx]]++;
                int best = 0;
                for (int b = 1; b <= Scribbles.MaxBrushes; b++) if (votes[b] > votes[best] || (best == 0 && votes[b] > 0)) best = b;
                brushes[y * w + x] = (byte)best;
            }
        });
        return new Scribbles(w, h, brushes);
    }

}
