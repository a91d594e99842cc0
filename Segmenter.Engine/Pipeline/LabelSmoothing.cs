namespace Segmenter.Engine.Pipeline;

/// <summary>
/// A mode (majority) filter on the label map: each pixel takes the label most frequent in its width × width
/// neighbourhood (edges clamped; a tie keeps the pixel's own label when it is among the most frequent, else the
/// lowest label). It removes isolated mislabelled pixels that survive clustering, e.g. salt-and-pepper noise, and
/// leaves regions wider than half the filter intact.
/// </summary>
internal static class LabelSmoothing
{
    public static byte[] ModeFilter(byte[] labels, int width, int height, int clusters, int filterWidth)
    {
        if (filterWidth <= 1) return labels;
        int r = filterWidth / 2;
        var smoothed = new byte[labels.Length];
        Parallel.For(0, height, () => new int[clusters], (y, _, counts) =>
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
