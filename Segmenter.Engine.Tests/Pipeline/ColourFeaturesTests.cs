using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>The standardised input colours: the image's contrast fills the range, Chroma shrinks lightness.</summary>
public class ColourFeaturesTests
{
    /// <summary>Two similar mauves side by side (RGB distance 20), each with a left-to-right lighting ramp of ±20 %.</summary>
    private static RgbImage LitPair()
    {
        const int w = 40, h = 10;
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            (int r, int g, int b) = y < h / 2 ? (150, 110, 140) : (150, 122, 124);
            double light = 0.8 + 0.4 * x / (w - 1);
            int o = 3 * (y * w + x);
            px[o] = (byte)(r * light); px[o + 1] = (byte)(g * light); px[o + 2] = (byte)(b * light);
        }
        return new RgbImage(w, h, px);
    }

    private static float[] Features(RgbImage image, InputColours colours, int x, int y)
    {
        var f = new float[ColourFeatures.Channels(colours)];
        var windows = new PixelWindows(image, 1, colours);
        windows.Fill([y * image.Width + x], f);
        return f;
    }

    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (u, v) => (double)(u - v) * (u - v)).Sum());

    [Fact]
    public void Standardising_spreads_similar_colours_over_more_of_the_input_range()
    {
        var image = LitPair();
        double lab = Distance(Features(image, InputColours.Lab, 20, 0), Features(image, InputColours.Lab, 20, 9));
        double standard = Distance(Features(image, InputColours.LabStandardised, 20, 0), Features(image, InputColours.LabStandardised, 20, 9));
        Assert.True(standard > 3 * lab, $"the two colours are {standard:F3} apart standardised, {lab:F3} in plain Lab");
        Assert.All(Features(image, InputColours.LabStandardised, 0, 0), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Chroma_moves_a_quarter_as_much_along_a_lighting_ramp_and_keeps_the_hue_difference()
    {
        var image = LitPair();
        float[] Along(InputColours c, int x) => Features(image, c, x, 0);
        double rampStandard = Math.Abs(Along(InputColours.LabStandardised, 0)[0] - Along(InputColours.LabStandardised, 39)[0]);
        double rampChroma = Math.Abs(Along(InputColours.Chroma, 0)[0] - Along(InputColours.Chroma, 39)[0]);
        Assert.True(rampStandard > 0.05, $"the ramp moves standardised L by {rampStandard:F3}");
        Assert.Equal(rampStandard / 4, rampChroma, 4);
        // a and b are scaled as in LabStandardised: the hue difference between the two halves is kept.
        var top = Features(image, InputColours.Chroma, 20, 0);
        var bottom = Features(image, InputColours.Chroma, 20, 9);
        var topStd = Features(image, InputColours.LabStandardised, 20, 0);
        var bottomStd = Features(image, InputColours.LabStandardised, 20, 9);
        Assert.Equal(Math.Abs(topStd[2] - bottomStd[2]), Math.Abs(top[2] - bottom[2]), 4);
        Assert.True(Math.Abs(top[2] - bottom[2]) > rampChroma, "across the hue border b moves more than L along the ramp");
    }

    [Fact]
    public void A_flat_image_maps_to_the_middle_of_the_range_without_dividing_by_zero()
    {
        var image = new RgbImage(4, 4, Enumerable.Repeat((byte)90, 48).ToArray());
        foreach (var colours in new[] { InputColours.LabStandardised, InputColours.Chroma })
            Assert.All(Features(image, colours, 1, 1), v => Assert.Equal(0.5f, v, 4));
    }

    [Fact]
    public void Plain_colour_spaces_need_no_image_scale()
    {
        var image = LitPair();
        Assert.Null(ColourFeatures.ScaleFor(image, InputColours.Rgb));
        Assert.Null(ColourFeatures.ScaleFor(image, InputColours.Lab));
        Assert.Same(ColourFeatures.ScaleFor(image, InputColours.Chroma), ColourFeatures.ScaleFor(image, InputColours.Chroma));
        Assert.Throws<InvalidOperationException>(() => ColourFeatures.Write(1, 2, 3, InputColours.Chroma, new float[3]));
    }
}
