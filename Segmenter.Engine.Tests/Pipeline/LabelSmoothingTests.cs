using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>The mode filter and the border refinement every run applies to its labels after clustering.</summary>
public sealed class LabelSmoothingTests
{
    /// <summary>Left half red, right half blue, with noise; the border between columns 19 and 20.</summary>
    private static (RgbImage Image, byte[] Truth) TwoHalves(int w = 40, int h = 20)
    {
        var rng = new Random(3);
        var px = new byte[w * h * 3];
        var truth = new byte[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                truth[i] = (byte)(x < w / 2 ? 0 : 1);
                (int r, int g, int b) = truth[i] == 0 ? (200, 40, 40) : (40, 40, 200);
                px[3 * i] = (byte)Math.Clamp(r + rng.Next(-15, 16), 0, 255);
                px[3 * i + 1] = (byte)Math.Clamp(g + rng.Next(-15, 16), 0, 255);
                px[3 * i + 2] = (byte)Math.Clamp(b + rng.Next(-15, 16), 0, 255);
            }
        return (new RgbImage(w, h, px), truth);
    }

    [Fact]
    public void Border_refinement_puts_a_border_drawn_a_pixel_off_back_where_the_colours_change()
    {
        var (image, truth) = TwoHalves();
        // The labels' border one column too far right (as pooled codes and blurred colours leave it).
        var off = truth.Select((t, i) => (byte)(i % image.Width < image.Width / 2 + 1 ? 0 : 1)).ToArray();
        var refined = LabelSmoothing.RefineBorders(off, image, clusters: 2, radius: 1);
        Assert.Equal(truth, refined);
        Assert.Same(off, LabelSmoothing.RefineBorders(off, image, clusters: 2, radius: 0)); // 0 = off
    }

    [Fact]
    public void Border_refinement_leaves_a_region_inside_alone_even_where_a_pixel_looks_like_another_cluster()
    {
        var (image, truth) = TwoHalves();
        // A blue-looking pixel deep inside the red half keeps the red label: no other label is near it.
        int inside = 10 * image.Width + 5;
        var px = (byte[])image.Pixels.Clone();
        px[3 * inside] = 40; px[3 * inside + 2] = 200;
        var refined = LabelSmoothing.RefineBorders(truth, new RgbImage(image.Width, image.Height, px), clusters: 2, radius: 1);
        Assert.Equal(truth, refined);
    }

    [Fact]
    public void A_run_applies_the_mode_filter_then_the_refinement_with_its_clustering_settings()
    {
        var (image, truth) = TwoHalves();
        var noisy = (byte[])truth.Clone();
        noisy[5 * image.Width + 5] = 1; // an isolated wrong label: the mode filter's job
        var off = noisy.Select((t, i) => i % image.Width == image.Width / 2 ? (byte)0 : t).ToArray(); // and a border a pixel off
        var settings = new ClusteringSettings { Clusters = 2, LabelSmoothing = 3, BorderRefinement = 1 };
        Assert.Equal(truth, LabelSmoothing.Apply(off, image, settings));
        Assert.NotEqual(truth, LabelSmoothing.Apply(off, image, settings with { BorderRefinement = 0 }));
    }

    [Fact]
    public void The_mode_filter_never_spans_more_than_half_the_shorter_side_so_a_thumbnail_keeps_its_segments()
    {
        var (image, truth) = TwoHalves(w: 8, h: 6);
        var smoothed = LabelSmoothing.ModeFilter(truth, image.Width, image.Height, clusters: 2, filterWidth: 9);
        Assert.Equal(truth, smoothed); // a 3-wide filter here: the two halves stay
        var (big, bigTruth) = TwoHalves();
        var noisy = (byte[])bigTruth.Clone();
        noisy[5 * big.Width + 5] = 1;
        Assert.Equal(bigTruth, LabelSmoothing.ModeFilter(noisy, big.Width, big.Height, clusters: 2, filterWidth: 9));
    }
}
