using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Pipeline;

/// <summary>One pixel's input floats in the chosen <see cref="InputColours"/>, each in about 0…1 (the decoder ends in a sigmoid).</summary>
internal static class ColourFeatures
{
    /// <summary>Floats per pixel: 3, or 6 for both colour spaces.</summary>
    public static int Channels(InputColours colours) => colours == InputColours.Both ? 6 : 3;

    private const float ByteScale = 1f / 255f;
    private const double LabScale = 200;

    public static void Write(byte r, byte g, byte b, InputColours colours, Span<float> destination)
    {
        if (colours != InputColours.Lab)
        {
            destination[0] = r * ByteScale;
            destination[1] = g * ByteScale;
            destination[2] = b * ByteScale;
            if (colours == InputColours.Rgb) return;
            destination = destination[3..];
        }
        // One scale for all three (1/200), so distances keep CIE Lab's geometry, as colour k-means on Lab sees it;
        // L lands in ¼…¾ and a, b (about −110…100 for sRGB) in about 0…1.
        var (l, a, bb) = CieLabConversion.FromRgb(r, g, b);
        destination[0] = (float)(l / LabScale + 0.25);
        destination[1] = (float)(a / LabScale + 0.5);
        destination[2] = (float)(bb / LabScale + 0.5);
    }
}
