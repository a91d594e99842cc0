using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// Brings a label map made on a downscaled copy back to the full image, following the full image's own colour edges.
/// <para>
/// Hand-written rather than an image resize: labels are categories (no interpolation between 2 and 5 means
/// anything), and nearest-neighbour copying would move every border onto the low-resolution grid. Here each
/// full-resolution pixel chooses, among the labels of the 3×3 low-resolution pixels around its position, the one whose
/// low-resolution colour is closest to the pixel's own colour (ties go to the nearest low-resolution pixel), so a border
/// that runs between two full-resolution pixels stays exactly there. Parallel over rows; the only per-pixel array is
/// the label map it returns.
/// </para>
/// </summary>
internal static class GuidedLabelUpsampling
{
    /// <summary>Labels for every pixel of <paramref name="full"/> from <paramref name="labels"/> over <paramref name="small"/>.</summary>
    public static byte[] Upsample(byte[] labels, RgbImage small, RgbImage full)
    {
        if (labels.Length != small.PixelCount)
            throw new ArgumentException($"The label map holds {labels.Length} pixels, not the {small.Width}×{small.Height} of the image it was made on.");
        int w = small.Width, h = small.Height, fullWidth = full.Width;
        var nearestColumn = NearestCells(fullWidth, w);
        var nearestRow = NearestCells(full.Height, h);
        var result = new byte[full.PixelCount];
        byte[] smallPx = small.Pixels, fullPx = full.Pixels;
        Parallel.For(0, full.Height, y =>
        {
            int cy = nearestRow[y], y0 = Math.Max(0, cy - 1), y1 = Math.Min(h - 1, cy + 1);
            for (int x = 0; x < fullWidth; x++)
            {
                int cx = nearestColumn[x], x0 = Math.Max(0, cx - 1), x1 = Math.Min(w - 1, cx + 1);
                long f = 3L * ((long)y * fullWidth + x);
                int r = fullPx[f], g = fullPx[f + 1], b = fullPx[f + 2];
                // The nearest cell first, so only a strictly closer colour moves the pixel away from it.
                int best = cy * w + cx, bestDistance = Distance(smallPx, best, r, g, b);
                for (int sy = y0; sy <= y1 && bestDistance > 0; sy++)
                for (int sx = x0; sx <= x1; sx++)
                {
                    int s = sy * w + sx, d = Distance(smallPx, s, r, g, b);
                    if (d < bestDistance) { bestDistance = d; best = s; }
                }
                result[(long)y * fullWidth + x] = labels[best];
            }
        });
        return result;
    }

    private static int Distance(byte[] px, int cell, int r, int g, int b)
    {
        int dr = px[3 * cell] - r, dg = px[3 * cell + 1] - g, db = px[3 * cell + 2] - b;
        return dr * dr + dg * dg + db * db;
    }

    /// <summary>For each of <paramref name="fullCount"/> positions, the low-resolution cell its centre falls in (<see cref="WorkingResolution.CellOf"/>).</summary>
    internal static int[] NearestCells(int fullCount, int smallCount)
    {
        var cells = new int[fullCount];
        for (int i = 0; i < fullCount; i++) cells[i] = WorkingResolution.CellOf(i, fullCount, smallCount);
        return cells;
    }
}
