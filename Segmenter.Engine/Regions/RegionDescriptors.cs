using System.Runtime.CompilerServices;
using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Regions;

/// <summary>
/// What <see cref="RegionTree"/> compares. Between neighbouring pixels (the over-segmentation and a border's strength):
/// the learned code (pooled as k-means sees it, without the blurred colour k-means sees beside it, which would smear
/// borders) and the CIE Lab colour. Between regions (Ward's criterion): the mean Lab colour and the mean local spread
/// of Lab (each channel's standard deviation under a Gaussian of σ <see cref="SpreadSigma"/> px, so a textured region
/// and a flat one of the same mean colour differ). Codes and colours are each scaled to total variance 1 over the image
/// (the spread by the colours' factor, so it keeps its size relative to them), then weighted. The weights were chosen on
/// BSDS500 train + val photos (docs/regions.md).
/// </summary>
internal sealed class RegionDescriptors
{
    public const double SpreadSigma = 4;

    /// <summary>Weights of the code and the colour in a pixel-to-pixel distance.</summary>
    public const double EdgeCodeWeight = 0.6, EdgeColourWeight = 1;

    /// <summary>Weights of the mean colour and the mean colour spread in a region's descriptor.</summary>
    public const double ColourWeight = 1, SpreadWeight = 2;

    private readonly float[] lab, spread; // 3 per pixel each
    private readonly double colourUnit;

    private RegionDescriptors(float[] lab, float[] spread, double colourUnit, float[] edges, int edgeDims)
    {
        this.lab = lab; this.spread = spread; this.colourUnit = colourUnit;
        Edges = edges; EdgeDims = edgeDims;
    }

    /// <summary>Numbers per region descriptor: mean Lab and mean Lab spread.</summary>
    public const int Dims = 6;

    /// <summary>Per pixel, what neighbouring pixels are compared on (pixels × <see cref="EdgeDims"/>): the weighted code, then the weighted Lab.</summary>
    public float[] Edges { get; }
    public int EdgeDims { get; }

    /// <param name="features">The clustered features, one row of <paramref name="dims"/> per pixel; the code is its first <paramref name="codeDims"/> numbers.</param>
    public static RegionDescriptors Of(RgbImage image, float[] features, int dims, int codeDims)
    {
        int n = (int)image.PixelCount;
        var lab = new float[3 * n];
        var px = image.Pixels;
        Parallel.For(0, n, i =>
        {
            var (l, a, b) = CieLabConversion.FromRgb(px[3 * i], px[3 * i + 1], px[3 * i + 2]);
            lab[3 * i] = (float)l; lab[3 * i + 1] = (float)a; lab[3 * i + 2] = (float)b;
        });
        var spread = LocalSpread(lab, image.Width, image.Height, SpreadSigma);
        double colourUnit = Unit(lab, 3, 0, 3, n);
        int edgeDims = codeDims + 3;
        float codeGain = (float)(EdgeCodeWeight / Unit(features, dims, 0, codeDims, n)), colourGain = (float)(EdgeColourWeight / colourUnit);
        var edges = new float[(long)n * edgeDims];
        Parallel.For(0, n, i =>
        {
            for (int j = 0; j < codeDims; j++) edges[(long)i * edgeDims + j] = features[(long)i * dims + j] * codeGain;
            for (int c = 0; c < 3; c++) edges[(long)i * edgeDims + codeDims + c] = lab[3 * i + c] * colourGain;
        });
        return new RegionDescriptors(lab, spread, colourUnit, edges, edgeDims);
    }

    /// <summary>Per leaf, the sum of its pixels' descriptors (leaves × <see cref="Dims"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double[] SumsPerLeaf(int[] leafOf, int leaves)
    {
        double colourGain = ColourWeight / colourUnit, spreadGain = SpreadWeight / colourUnit;
        var sums = new double[leaves * Dims];
        for (int i = 0; i < leafOf.Length; i++)
        {
            int o = leafOf[i] * Dims;
            for (int c = 0; c < 3; c++)
            {
                sums[o + c] += lab[3 * i + c] * colourGain;
                sums[o + 3 + c] += spread[3 * i + c] * spreadGain;
            }
        }
        return sums;
    }

    /// <summary>√(total variance) of columns [from, to) of rows of <paramref name="dims"/>; 1 when they do not vary.</summary>
    private static double Unit(float[] rows, int dims, int from, int to, int n)
    {
        double total = 0;
        for (int j = from; j < to; j++)
        {
            double s = 0, s2 = 0;
            for (int i = 0; i < n; i++) { double v = rows[(long)i * dims + j]; s += v; s2 += v * v; }
            total += Math.Max(0, s2 / n - s / n * (s / n));
        }
        return total > 1e-12 ? Math.Sqrt(total) : 1;
    }

    /// <summary>Each channel's standard deviation under a Gaussian window of σ pixels (edges repeated).</summary>
    private static float[] LocalSpread(float[] lab, int w, int h, double sigma)
    {
        int n = w * h;
        var moments = new float[6 * n]; // x and x² of each channel
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) { float v = lab[3 * i + c]; moments[6 * i + c] = v; moments[6 * i + 3 + c] = v * v; }
        var blurred = GaussianBlur(moments, 6, w, h, sigma);
        var spread = new float[3 * n];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++)
            {
                float m = blurred[6 * i + c];
                spread[3 * i + c] = MathF.Sqrt(MathF.Max(0, blurred[6 * i + 3 + c] - m * m));
            }
        return spread;
    }

    /// <summary>A separable Gaussian blur of an interleaved image of <paramref name="channels"/>, radius 3σ, edges repeated.</summary>
    internal static float[] GaussianBlur(float[] src, int channels, int w, int h, double sigma)
    {
        int r = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var k = new float[2 * r + 1];
        double total = 0;
        for (int t = -r; t <= r; t++) total += k[t + r] = (float)Math.Exp(-t * t / (2 * sigma * sigma));
        for (int t = 0; t < k.Length; t++) k[t] /= (float)total;
        var across = new float[src.Length];
        Parallel.For(0, h, y =>
        {
            for (int x = 0; x < w; x++)
            {
                int o = (y * w + x) * channels;
                for (int t = -r; t <= r; t++)
                {
                    int s = (y * w + Math.Clamp(x + t, 0, w - 1)) * channels;
                    for (int c = 0; c < channels; c++) across[o + c] += k[t + r] * src[s + c];
                }
            }
        });
        var result = new float[src.Length];
        Parallel.For(0, h, y =>
        {
            for (int t = -r; t <= r; t++)
            {
                int row = Math.Clamp(y + t, 0, h - 1) * w * channels, o = y * w * channels;
                for (int x = 0; x < w * channels; x++) result[o + x] += k[t + r] * across[row + x];
            }
        });
        return result;
    }
}
