namespace Segmenter.Web.Components.Charts;

/// <summary>
/// The text colour, black or white, that reads best on a coloured background (a brush button in its cluster's
/// palette colour, say), by WCAG 2's contrast ratio; one of the two always reaches 4.5:1.
/// </summary>
public static class TextOn
{
    public static string Hex((byte R, byte G, byte B) background)
    {
        double l = RelativeLuminance(background);
        double withBlack = (l + 0.05) / 0.05, withWhite = 1.05 / (l + 0.05);
        return withBlack >= withWhite ? "#000000" : "#ffffff";
    }

    /// <summary>WCAG 2's relative luminance of an sRGB colour, 0 (black) to 1 (white).</summary>
    public static double RelativeLuminance((byte R, byte G, byte B) c)
    {
        static double Linear(byte v)
        {
            double s = v / 255.0;
            return s <= 0.03928 ? s / 12.92 : Math.Pow((s + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * Linear(c.R) + 0.7152 * Linear(c.G) + 0.0722 * Linear(c.B);
    }
}
