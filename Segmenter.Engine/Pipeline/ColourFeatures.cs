using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Pipeline;

/// <summary>One pixel's three input floats in the chosen <see cref="InputColours"/>, each in about 0…1 (the decoder ends in a sigmoid).</summary>
internal static class ColourFeatures
{
    private const float ByteScale = 1f / 255f;

    public static void Write(byte r, byte g, byte b, InputColours colours, Span<float> destination)
    {
        if (colours == InputColours.Rgb)
        {
            destination[0] = r * ByteScale;
            destination[1] = g * ByteScale;
            destination[2] = b * ByteScale;
            return;
        }
        var (l, a, bb) = CieLabConversion.FromRgb(r, g, b);
        destination[0] = (float)(l / 100);
        destination[1] = (float)(a / 255 + 0.5);
        destination[2] = (float)(bb / 255 + 0.5);
    }
}
