namespace Segmenter.Engine.Imaging;

/// <summary>
/// 8-bit sRGB → CIE L*a*b* (D65 white, 2° observer), the conversion OpenCV's <c>cvtColor(…, COLOR_RGB2Lab)</c>
/// applies to float input: L in 0…100, a and b roughly −128…127. Written out (rather than through ImageSharp 2.1's
/// <c>ColorSpaceConverter</c>, which the tests use as the reference) because a 256-entry table for the sRGB
/// decoding makes a whole image one pass with no per-pixel allocation.
/// </summary>
public static class CieLabConversion
{
    // D65 reference white (X, Y, Z), as OpenCV and ImageSharp's Illuminants.D65.
    private const double Xn = 0.95047, Yn = 1.0, Zn = 1.08883;
    private const double Epsilon = 216.0 / 24389.0; // (6/29)³
    private const double Kappa = 24389.0 / 27.0;    // (29/3)³

    /// <summary>sRGB byte → linear light, decoded once.</summary>
    private static readonly double[] Linear = Enumerable.Range(0, 256).Select(v =>
    {
        double c = v / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
    }).ToArray();

    public static (double L, double A, double B) FromRgb(byte r, byte g, byte b)
    {
        double lr = Linear[r], lg = Linear[g], lb = Linear[b];
        // sRGB (D65) → XYZ, IEC 61966-2-1 matrix.
        double x = 0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb;
        double y = 0.2126729 * lr + 0.7151522 * lg + 0.0721750 * lb;
        double z = 0.0193339 * lr + 0.1191920 * lg + 0.9503041 * lb;
        double fx = F(x / Xn), fy = F(y / Yn), fz = F(z / Zn);
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz));
    }

    private static double F(double t) => t > Epsilon ? Math.Cbrt(t) : (Kappa * t + 16) / 116;
}
