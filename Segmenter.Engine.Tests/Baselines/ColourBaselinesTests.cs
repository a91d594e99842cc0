using SixLabors.ImageSharp.ColorSpaces;
using SixLabors.ImageSharp.ColorSpaces.Conversion;
using Segmenter.Engine.Baselines;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Tests.Baselines;

public class ColourBaselinesTests
{
    [Theory] // published sRGB (D65) → Lab values: white, black, the primaries, mid grey
    [InlineData(255, 255, 255, 100.0, 0.0, 0.0)]
    [InlineData(0, 0, 0, 0.0, 0.0, 0.0)]
    [InlineData(255, 0, 0, 53.2408, 80.0925, 67.2032)]
    [InlineData(0, 255, 0, 87.7347, -86.1827, 83.1793)]
    [InlineData(0, 0, 255, 32.2970, 79.1875, -107.8602)]
    [InlineData(128, 128, 128, 53.5850, 0.0, 0.0)]
    public void Lab_matches_published_values(byte r, byte g, byte b, double l, double a, double bb)
    {
        var lab = CieLabConversion.FromRgb(r, g, b);
        Assert.Equal(l, lab.L, 0.01);
        Assert.Equal(a, lab.A, 0.01);
        Assert.Equal(bb, lab.B, 0.01);
    }

    [Fact]
    public void Lab_agrees_with_ImageSharps_converter_at_D65()
    {
        var converter = new ColorSpaceConverter(new ColorSpaceConverterOptions { TargetLabWhitePoint = Illuminants.D65 });
        var rng = new Random(5);
        for (int i = 0; i < 200; i++)
        {
            byte r = (byte)rng.Next(256), g = (byte)rng.Next(256), b = (byte)rng.Next(256);
            var expected = converter.ToCieLab(new Rgb(r / 255f, g / 255f, b / 255f));
            var ours = CieLabConversion.FromRgb(r, g, b);
            // ImageSharp computes in float: agreement to a few hundredths of a Lab unit.
            Assert.Equal(expected.L, ours.L, 0.02);
            Assert.Equal(expected.A, ours.A, 0.02);
            Assert.Equal(expected.B, ours.B, 0.02);
        }
    }

    [Fact]
    public void Blur_is_nine_by_nine_with_sigma_one_point_seven()
    {
        // A single 255 impulse in black: the blurred centre is 255·w0², w0 = 1 / Σ_{x=−4..4} exp(−x²/(2·1.7²)) ≈ 0.2364
        // → 14.25; nothing reaches 5 pixels away (a 9×9 kernel), while a 13×13 kernel (ImageSharp's default radius
        // for σ = 1.7) would.
        const int size = 21, c = 10;
        var px = new byte[size * size * 3];
        for (int ch = 0; ch < 3; ch++) px[(c * size + c) * 3 + ch] = 255;
        var blurred = ColourBaselines.Blur(new RgbImage(size, size, px)).Pixels;
        double w0 = 1 / Enumerable.Range(-4, 9).Sum(x => Math.Exp(-x * x / (2 * 1.7 * 1.7)));
        Assert.InRange(blurred[(c * size + c) * 3], Math.Floor(255 * w0 * w0), Math.Ceiling(255 * w0 * w0));
        Assert.True(blurred[(c * size + c + 3) * 3] > 0, "3 pixels away is inside the kernel");
        Assert.Equal(0, blurred[(c * size + c + 5) * 3]);
        Assert.Equal(0, blurred[((c + 5) * size + c) * 3]);
    }

    [Fact]
    public void Blurred_Lab_beats_plain_RGB_on_a_noisy_two_region_image()
    {
        var (image, truth) = NoisyHalves(64, 64, seed: 3);
        var settings = new ColourBaselines.Settings(Clusters: 2);
        double rgb = Agreement.AdjustedRandIndex(truth, ColourBaselines.RgbKMeans(image, settings));
        double blurred = Agreement.AdjustedRandIndex(truth, ColourBaselines.BlurredLabKMeans(image, settings));
        // Measured on this image (seed 3): RGB 0.356, blurred Lab 0.953 (ColourBaselines, k = 2, 10 restarts, seed 42). The noise (±70) dwarfs the
        // colour step (40), so per-pixel colour cannot separate the halves and the 9×9 average can.
        Assert.True(blurred > 0.9, $"blurred Lab ARI {blurred:0.000}");
        Assert.True(blurred > rgb + 0.3, $"blurred Lab {blurred:0.000} vs RGB {rgb:0.000}");
    }

    [Fact]
    public void Same_seed_same_labels()
    {
        var (image, _) = NoisyHalves(32, 32, seed: 4);
        var settings = new ColourBaselines.Settings(Clusters: 3, Restarts: 2, Seed: 7);
        Assert.Equal(ColourBaselines.BlurredLabKMeans(image, settings), ColourBaselines.BlurredLabKMeans(image, settings));
        Assert.Equal(ColourBaselines.RgbKMeans(image, settings), ColourBaselines.RgbKMeans(image, settings));
    }

    [Fact]
    public void A_sampled_fit_assigns_every_pixel_and_agrees_with_the_full_fit()
    {
        var (image, truth) = NoisyHalves(160, 120, seed: 5);   // 19,200 pixels, fitted on 2,000 of them
        var full = new ColourBaselines.Settings(Clusters: 2, Restarts: 3);
        var sampled = full with { FitSample = 2_000 };
        var labels = ColourBaselines.BlurredLabKMeans(image, sampled);
        Assert.Equal(image.PixelCount, labels.Length);
        Assert.Equal(labels, ColourBaselines.BlurredLabKMeans(image, sampled));   // the sample follows the seed
        double agreement = Agreement.AdjustedRandIndex(ColourBaselines.BlurredLabKMeans(image, full), labels);
        Assert.True(agreement > 0.95, $"sampled vs full fit ARI {agreement:0.000}");
        Assert.True(Agreement.AdjustedRandIndex(truth, labels) > 0.9);
        // At or under the sample size, the sampled setting is the full fit itself.
        var small = NoisyHalves(32, 32, seed: 6).Image;
        Assert.Equal(ColourBaselines.RgbKMeans(small, full), ColourBaselines.RgbKMeans(small, full with { FitSample = 1024 }));
    }

    /// <summary>Left half grey 110, right half grey 150, uniform noise ±70 per channel.</summary>
    private static (RgbImage Image, int[] Truth) NoisyHalves(int w, int h, int seed)
    {
        var rng = new Random(seed);
        var px = new byte[w * h * 3];
        var truth = new int[w * h];
        for (int i = 0; i < w * h; i++)
        {
            truth[i] = i % w < w / 2 ? 0 : 1;
            int v = truth[i] == 0 ? 110 : 150;
            for (int ch = 0; ch < 3; ch++) px[3 * i + ch] = (byte)Math.Clamp(v + rng.Next(-70, 71), 0, 255);
        }
        return (new RgbImage(w, h, px), truth);
    }
}
