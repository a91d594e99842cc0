using System.Numerics;
using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Pipeline;

/// <summary>Distinct colours for up to 64 clusters, used by the palette view and the charts.</summary>
public static class ClusterPalette
{
    // Tableau-10 first (readable on light and dark), then evenly spaced hues for the rest.
    private static readonly (byte R, byte G, byte B)[] Base =
    [
        (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
        (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
    ];

    public static (byte R, byte G, byte B) Colour(int cluster)
    {
        if (cluster < Base.Length) return Base[cluster];
        double h = (cluster * 0.618033988749895) % 1.0, s = 0.65, v = 0.85;
        int i = (int)(h * 6);
        double f = h * 6 - i, p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
        var (r, g, b) = (i % 6) switch
        {
            0 => (v, t, p), 1 => (q, v, p), 2 => (p, v, t), 3 => (p, q, v), 4 => (t, p, v), _ => (v, p, q),
        };
        return ((byte)(r * 255), (byte)(g * 255), (byte)(b * 255));
    }

    public static string Hex(int cluster)
    {
        var (r, g, b) = Colour(cluster);
        return $"#{r:X2}{g:X2}{b:X2}";
    }

    /// <summary>
    /// A label map as an image, each label in <paramref name="colourOf"/>'s colour (the palette's when null): the
    /// result's palette and mean-colour views and the steering baselines all paint through here.
    /// </summary>
    public static RgbImage Paint<TLabel>(ReadOnlySpan<TLabel> labels, int clusterCount, int width, int height,
        Func<int, (byte R, byte G, byte B)>? colourOf = null) where TLabel : IBinaryInteger<TLabel>
    {
        colourOf ??= Colour;
        var lut = new (byte R, byte G, byte B)[clusterCount];
        for (int c = 0; c < lut.Length; c++) lut[c] = colourOf(c);
        var px = new byte[labels.Length * 3];
        for (int i = 0; i < labels.Length; i++)
        {
            var (r, g, b) = lut[int.CreateTruncating(labels[i])];
            px[3 * i] = r; px[3 * i + 1] = g; px[3 * i + 2] = b;
        }
        return new RgbImage(width, height, px);
    }
}
