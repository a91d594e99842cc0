using System.Buffers;
using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// Turns pixel indices into the model's input: each pixel's window×window neighbourhood as RGB/255 floats,
/// row by row, edges padded by reflection (as torch's "reflect" padding: the edge pixel is not repeated).
/// </summary>
internal sealed class PixelWindows(RgbImage image, int window, InputColours colours = InputColours.Rgb)
{
    public int Window { get; } = window;
    public int Tokens { get; } = window * window;
    public int Channels { get; } = ColourFeatures.Channels(colours);
    private readonly StandardScale? scale = ColourFeatures.ScaleFor(image, colours);
    public int FloatsPerItem => Tokens * Channels;

    /// <summary>Writes items.Length × Tokens × 3 floats into <paramref name="destination"/>.</summary>
    public void Fill(ReadOnlySpan<int> pixels, Span<float> destination)
    {
        int w = image.Width, h = image.Height, r = Window / 2;
        var px = image.Pixels;
        int o = 0;
        foreach (int p in pixels)
        {
            int y = p / w, x = p - y * w;
            for (int dy = -r; dy <= r; dy++)
            {
                int row = Reflect(y + dy, h) * w;
                for (int dx = -r; dx <= r; dx++)
                {
                    int s = 3 * (row + Reflect(x + dx, w));
                    ColourFeatures.Write(px[s], px[s + 1], px[s + 2], colours, scale, destination.Slice(o, Channels));
                    o += Channels;
                }
            }
        }
    }

    internal static int Reflect(int i, int n)
    {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - i;
    }
}

/// <summary>
/// The distinct colours of an image with their pixel counts. With window 1 a code depends only on the colour,
/// so the distinct colours weighted by their counts are an exact, usually much smaller, summary of the pixels.
/// </summary>
internal sealed class ColourHistogram
{
    private const int Colours = 1 << 24;

    /// <summary>Packed 0xRRGGBB per distinct colour.</summary>
    public int[] Packed { get; }
    public float[] Counts { get; }

    /// <summary>For every pixel, the index of its colour in <see cref="Packed"/>.</summary>
    public int[] ItemOfPixel { get; }

    public int Count => Packed.Length;

    public ColourHistogram(RgbImage image)
    {
        var px = image.Pixels;
        long n = image.PixelCount;
        // A direct 2^24 table beats hashing: one pass to count, one to number, one to map. Its 64 MB come from the
        // shared pool, so back-to-back runs reuse one table instead of churning the large-object heap.
        var table = ArrayPool<int>.Shared.Rent(Colours);
        Array.Clear(table, 0, Colours);
        try
        {
            for (long i = 0; i < n; i++) table[(px[3 * i] << 16) | (px[3 * i + 1] << 8) | px[3 * i + 2]]++;

            int distinct = 0;
            for (int c = 0; c < Colours; c++) if (table[c] != 0) distinct++;
            Packed = new int[distinct];
            Counts = new float[distinct];
            for (int c = 0, k = 0; c < Colours; c++)
            {
                if (table[c] == 0) continue;
                Packed[k] = c;
                Counts[k] = table[c];
                table[c] = k++;
            }

            ItemOfPixel = new int[n];
            for (long i = 0; i < n; i++) ItemOfPixel[i] = table[(px[3 * i] << 16) | (px[3 * i + 1] << 8) | px[3 * i + 2]];
        }
        finally
        {
            ArrayPool<int>.Shared.Return(table);
        }
    }

    /// <summary>How many distinct colours the image has, counting only up to <paramref name="enough"/> (cheap when there are many).</summary>
    public static int DistinctUpTo(RgbImage image, int enough)
    {
        var seen = new HashSet<int>();
        var px = image.Pixels;
        for (long i = 0; i < px.Length && seen.Count < enough; i += 3) seen.Add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
        return seen.Count;
    }

    /// <summary>Writes the colours of the given items as input floats (one token each).</summary>
    public void Fill(ReadOnlySpan<int> items, Span<float> destination, InputColours colours, StandardScale? scale)
    {
        int o = 0;
        foreach (int item in items)
        {
            int c = Packed[item];
            int channels = ColourFeatures.Channels(colours);
            ColourFeatures.Write((byte)(c >> 16), (byte)(c >> 8), (byte)c, colours, scale, destination.Slice(o, channels));
            o += channels;
        }
    }
}
