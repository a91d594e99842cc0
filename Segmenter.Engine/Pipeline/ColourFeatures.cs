using System.Runtime.CompilerServices;
using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Pipeline;

/// <summary>One pixel's input floats in the chosen <see cref="InputColours"/>, each in about 0…1 (the decoder ends in a sigmoid).</summary>
internal static class ColourFeatures
{
    /// <summary>Floats per pixel: 3, or 6 for both colour spaces.</summary>
    public static int Channels(InputColours colours) => colours == InputColours.Both ? 6 : 3;

    private const float ByteScale = 1f / 255f;
    private const double LabScale = 200;

    public static void Write(byte r, byte g, byte b, InputColours colours, Span<float> destination) =>
        Write(r, g, b, colours, null, destination);

    /// <summary>
    /// As <see cref="Write(byte, byte, byte, InputColours, Span{float})"/>; the standardised colour spaces need the
    /// image's <paramref name="scale"/> (<see cref="StandardScale.Of"/>).
    /// </summary>
    public static void Write(byte r, byte g, byte b, InputColours colours, StandardScale? scale, Span<float> destination)
    {
        if (colours is InputColours.Rgb or InputColours.Both)
        {
            destination[0] = r * ByteScale;
            destination[1] = g * ByteScale;
            destination[2] = b * ByteScale;
            if (colours == InputColours.Rgb) return;
            destination = destination[3..];
        }
        var (l, a, bb) = CieLabConversion.FromRgb(r, g, b);
        if (colours is InputColours.Lab or InputColours.Both)
        {
            // One scale for all three (1/200), so distances keep CIE Lab's geometry, as colour k-means on Lab sees it;
            // L lands in ¼…¾ and a, b (about −110…100 for sRGB) in about 0…1.
            destination[0] = (float)(l / LabScale + 0.25);
            destination[1] = (float)(a / LabScale + 0.5);
            destination[2] = (float)(bb / LabScale + 0.5);
            return;
        }
        var s = scale ?? throw new InvalidOperationException($"{colours} input needs the image's colour scale.");
        destination[0] = s.Map(0, l);
        destination[1] = s.Map(1, a);
        destination[2] = s.Map(2, bb);
    }

    /// <summary>The image's scale when <paramref name="colours"/> is standardised, else null (cached per image).</summary>
    public static StandardScale? ScaleFor(RgbImage image, InputColours colours) =>
        colours is InputColours.LabStandardised or InputColours.Chroma ? StandardScale.Of(image, colours) : null;
}

/// <summary>
/// Standardisation of an image's CIE Lab colours: each channel maps to 0.5 + (v − its mean) / σ × 0.125 (clamped to
/// 0…1), σ the largest of the three channels' spreads, so the image's own contrast fills the model's input range whatever its colours, instead of
/// similar colours crowding into a few hundredths of it. <see cref="InputColours.Chroma"/> then shrinks L's spread to
/// a quarter. The mean and spread come from a fixed stride sample of at most 65,536 pixels, so they are reproducible.
/// </summary>
internal sealed class StandardScale
{
    private const int SamplePixels = 65_536;
    private const double Spread = 0.125, ChromaLightnessShrink = 4;
    private static readonly ConditionalWeakTable<RgbImage, StandardScale[]> Cache = new();

    private readonly double[] mean = new double[3], gain = new double[3];

    private StandardScale(RgbImage image, InputColours colours)
    {
        var px = image.Pixels;
        long count = image.PixelCount, stride = Math.Max(1, count / SamplePixels), n = 0;
        double[] sum = new double[3], sumSq = new double[3];
        for (long i = 0; i < count; i += stride, n++)
        {
            var (l, a, b) = CieLabConversion.FromRgb(px[3 * i], px[3 * i + 1], px[3 * i + 2]);
            ReadOnlySpan<double> v = [l, a, b];
            for (int c = 0; c < 3; c++) { sum[c] += v[c]; sumSq[c] += v[c] * v[c]; }
        }
        // Standardise every channel by the largest channel spread (one scale keeps Lab's geometry: a grey image's
        // a and b noise is not blown up to the size of its lightness changes).
        double std = 0;
        for (int c = 0; c < 3; c++)
        {
            mean[c] = sum[c] / n;
            std = Math.Max(std, Math.Sqrt(Math.Max(0, sumSq[c] / n - mean[c] * mean[c])));
        }
        std = Math.Max(std, 1); // a flat image: one Lab unit
        for (int c = 0; c < 3; c++) gain[c] = Spread / std;
        if (colours == InputColours.Chroma) gain[0] /= ChromaLightnessShrink;
    }

    public static StandardScale Of(RgbImage image, InputColours colours)
    {
        var both = Cache.GetValue(image, _ => new StandardScale[2]);
        int slot = colours == InputColours.Chroma ? 1 : 0;
        return Volatile.Read(ref both[slot]) ?? Interlocked.CompareExchange(ref both[slot], new StandardScale(image, colours), null) ?? both[slot];
    }

    public float Map(int channel, double value) => (float)Math.Clamp(0.5 + (value - mean[channel]) * gain[channel], 0, 1);
}
