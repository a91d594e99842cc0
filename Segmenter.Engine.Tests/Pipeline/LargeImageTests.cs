using Segmenter.Bench;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>
/// Images too large to keep every pixel's code stream tile by tile. What makes 24 megapixels affordable is that
/// only the final assignment passes over the whole image; the k-means sample and the plot's points are encoded
/// window by window. Counted, not timed: the encoder's work is the number of codes it computes.
/// </summary>
public class LargeImageTests
{
    [Fact]
    public void A_streamed_image_is_encoded_in_one_pass_plus_its_samples()
    {
        var image = SyntheticImages.Regions(2000, 1100, regions: 5, noise: 6, seed: 3);
        Assert.True(image.PixelCount > RegionPixels.KeepAllCodesUpTo, "the image must be above the keep-all-codes limit");
        var p = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 5, Epochs = 2 };

        using var result = SegmentationPipeline.Run(image, p);

        // One pass over every pixel, plus the k-means sample's and the plot points' windows.
        Assert.True(p.ClusteringSample * RegionPixels.SparseAskFraction <= image.PixelCount, "the fit sample must count as sparse here");
        Assert.InRange(result.CodesEncoded, image.PixelCount, image.PixelCount + p.ClusteringSample!.Value + PlotSampler.MaxPoints);
        Assert.Equal(image.PixelCount, result.Labels.LongLength);
        Assert.Equal(5, result.Clusters.Count(c => c.PixelCount > 0));
        Assert.True(result.Plot.Count > 0);
    }

    [Fact]
    public void A_kept_image_is_encoded_exactly_once()
    {
        var image = SyntheticImages.Regions(300, 200, regions: 4, noise: 6, seed: 4);
        var p = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 4, Epochs = 2 };
        using var result = SegmentationPipeline.Run(image, p);
        Assert.Equal(image.PixelCount, result.CodesEncoded);
    }
}
