using System.Runtime.CompilerServices;
using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// A mode (majority) filter on the label map: each pixel takes the label most frequent in its width × width
/// neighbourhood (edges clamped; a tie keeps the pixel's own label when it is among the most frequent, else the
/// lowest label). It removes isolated mislabelled pixels that survive clustering, e.g. salt-and-pepper noise, and
/// leaves regions wider than half the filter intact.
/// </summary>
internal static class LabelSmoothing
{
    /// <summary>What every run does to its label map after clustering: the mode filter, then the border refinement.</summary>
    public static byte[] Apply(byte[] labels, RgbImage image, ClusteringSettings c) =>
        RefineBorders(ModeFilter(labels, image.Width, image.Height, c.Clusters, c.LabelSmoothing), image, c.Clusters, c.BorderRefinement);

    /// <summary>
    /// Puts borders back where the colours change. Pooled codes, blurred colours and the mode filter all look
    /// across a border, so the labels there can be a pixel or two off. Every pixel with another label within
    /// <paramref name="radius"/> (a (2r+1)² square) takes, among the labels in that square, the one whose cluster's
    /// mean RGB colour is nearest its own. Pixels inside a region keep their label, so texture and noise inside a
    /// region are left alone. Radius 0 = off.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static byte[] RefineBorders(byte[] labels, RgbImage image, int clusters, int radius)
    {
        if (radius <= 0) return labels;
        int width = image.Width, height = image.Height;
        var px = image.Pixels;
        var sum = new long[clusters * 3];
        var count = new long[clusters];
        for (long i = 0; i < labels.Length; i++)
        {
            int c = labels[i];
            count[c]++;
            sum[3 * c] += px[3 * i]; sum[3 * c + 1] += px[3 * i + 1]; sum[3 * c + 2] += px[3 * i + 2];
        }
        var mean = new double[clusters * 3];
        for (int c = 0; c < clusters; c++)
            for (int ch = 0; ch < 3; ch++) mean[3 * c + ch] = count[c] == 0 ? 0 : (double)sum[3 * c + ch] / count[c];
        var refined = new byte[labels.Length];
        Parallel.For(0, height, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (y) =>
        {
            int y0 = Math.Max(0, y - radius), y1 = Math.Min(height - 1, y + radius);
            for (int x = 0; x < width; x++)
            {
                long i = (long)y * width + x;
                int own = labels[i], x0 = Math.Max(0, x - radius), x1 = Math.Min(width - 1, x + radius);
                int best = own;
                double bestDistance = Distance(own);
                bool mixed = false;
                for (int yy = y0; yy <= y1; yy++)
                    for (int xx = x0; xx <= x1; xx++)
                    {
                        int c = labels[(long)yy * width + xx];
                        if (c == own) continue;
                        mixed = true;
                        double d = Distance(c);
                        if (d < bestDistance) { bestDistance = d; best = c; }
                    }
                refined[i] = (byte)(mixed ? best : own);

                double Distance(int c)
                {
                    double dr = px[3 * i] - mean[3 * c], dg = px[3 * i + 1] - mean[3 * c + 1], db = px[3 * i + 2] - mean[3 * c + 2];
                    return dr * dr + dg * dg + db * db;
                }
            }
        });
        return refined;
    }

    /// <remarks>
    /// The filter never spans more than half the image's shorter side (the widest odd width that fits): on a thumbnail
    /// a 9-wide filter would cover everything and leave one segment.
    /// </remarks>
    public static byte[] ModeFilter(byte[] labels, int width, int height, int clusters, int filterWidth)
    {
        filterWidth = Math.Min(filterWidth, Math.Max(1, (Math.Min(width, height) / 2 - 1) | 1));
        if (filterWidth <= 1) return labels;
        int r = filterWidth / 2;
        var smoothed = new byte[labels.Length];
        Parallel.For(0, height, () => new int[clusters], [MethodImpl(MethodImplOptions.AggressiveOptimization)] (y, _, counts) =>
        {
            int y0 = Math.Max(0, y - r), y1 = Math.Min(height - 1, y + r);
            Array.Clear(counts);
            // Sliding column window: add the column entering on the right, drop the one leaving on the left.
            for (int x = 0; x <= Math.Min(width - 1, r - 1); x++) AddColumn(x, +1);
            for (int x = 0; x < width; x++)
            {
                if (x + r < width) AddColumn(x + r, +1);
                if (x - r - 1 >= 0) AddColumn(x - r - 1, -1);
                int own = labels[(long)y * width + x], best = own;
                for (int c = 0; c < clusters; c++)
                    if (counts[c] > counts[best]) best = c;
                smoothed[(long)y * width + x] = (byte)best;
            }
            return counts;

            void AddColumn(int x, int delta)
            {
                for (int yy = y0; yy <= y1; yy++) counts[labels[(long)yy * width + x]] += delta;
            }
        }, _ => { });
        return smoothed;
    }
}
