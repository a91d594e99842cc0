using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>
/// A streamed big image's plot is drawn from the pixels k-means was fitted on (<see cref="PlotSampler.DrawFromSample"/>),
/// whose features are at hand, so no other pixel is ever encoded for it.
/// </summary>
public class PlotSamplerTests
{
    private const int Side = 64;

    /// <summary>Every pixel its own colour (R = 4x, G = 4y), so a drawn point's colour says which pixel it is.</summary>
    private static RgbImage UniqueColours()
    {
        var px = new byte[Side * Side * 3];
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                int o = 3 * (y * Side + x);
                px[o] = (byte)(4 * x); px[o + 1] = (byte)(4 * y); px[o + 2] = 128;
            }
        return new RgbImage(Side, Side, px);
    }

    /// <summary>Left half cluster 0, right half cluster 1.</summary>
    private static byte[] Halves() => Enumerable.Range(0, Side * Side).Select(p => (byte)(p % Side < Side / 2 ? 0 : 1)).ToArray();

    private static int[] Block(int x0, int y0) =>
        [.. from y in Enumerable.Range(y0, 16) from x in Enumerable.Range(x0, 16) select y * Side + x];

    private static PlotSample Draw(int[] sample, RgbImage image, byte[] labels)
    {
        var codes = sample.SelectMany(p => new[] { p % Side, p / Side, (float)((p * 7) % 13) }).Select(v => (float)v).ToArray();
        var clusters = ClusterSummary.Of(image, labels, 2);
        return PlotSampler.DrawFromSample(sample, codes, 3, image, labels, clusters, centres: [8, 32, 6, 48, 32, 6], seed: 3);
    }

    [Fact]
    public void Points_are_drawn_only_among_the_fitted_pixels_with_their_own_clusters()
    {
        var image = UniqueColours();
        var labels = Halves();
        int[] sample = [.. Block(4, 10), .. Block(40, 30)];          // one block in each half
        var plot = Draw(sample, image, labels);

        var fitted = sample.ToDictionary(p => (image.Pixels[3 * p], image.Pixels[3 * p + 1]), p => labels[p]);
        Assert.InRange(plot.Count, 2, sample.Length);
        for (int i = 0; i < plot.Count; i++)
        {
            var colour = (plot.Rgb[3 * i], plot.Rgb[3 * i + 1]);
            Assert.True(fitted.TryGetValue(colour, out byte label), $"point {i} (RGB {colour}) is not a fitted pixel");
            Assert.Equal(label, plot.Labels[i]);
        }
        Assert.Equal([0, 1], plot.Labels.Take(plot.Count).Distinct().Order().Select(l => (int)l));
        Assert.Equal(3 * plot.Count, plot.Codes3.Length);
        Assert.All(plot.Codes3, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void A_cluster_absent_from_the_fitted_pixels_gets_no_points()
    {
        var image = UniqueColours();
        var plot = Draw([.. Block(0, 0), .. Block(8, 40)], image, Halves());   // both blocks in the left half
        Assert.True(plot.Count > 0);
        Assert.All(plot.Labels.Take(plot.Count), l => Assert.Equal(0, l));
    }
}
