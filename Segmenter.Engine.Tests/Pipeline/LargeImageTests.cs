using Segmenter.Bench;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>
/// What encoding costs, counted rather than timed (the encoder's work is the number of codes it computes). Images
/// above <see cref="RegionPixels.KeepAllCodesUpTo"/> stream tile by tile, once for the assignment, while the scattered
/// k-means and plot samples are encoded window by window; an image under it is encoded exactly once.
/// </summary>
public class LargeImageTests
{
    [Fact]
    public void A_kept_image_is_encoded_exactly_once()
    {
        var image = SyntheticImages.Regions(300, 200, regions: 4, noise: 6, seed: 4);
        var p = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 4, Epochs = 2 };
        var result = SegmentationPipeline.Run(image, p);
        using var resultModel = result.Model;
        Assert.Equal(image.PixelCount, result.CodesEncoded);
    }

    [Fact]
    public void A_streamed_image_is_encoded_once_plus_its_samples()
    {
        var image = SyntheticImages.Regions(1600, 1400, regions: 4, noise: 6, seed: 5);
        Assert.True(image.PixelCount > RegionPixels.KeepAllCodesUpTo, "the image must be too big to keep its codes");
        var p = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 4, Epochs = 1 };
        var result = SegmentationPipeline.Run(image, p);
        using var resultModel = result.Model;
        // Before the samples went window by window, each of them touched every tile: about three passes.
        long samples = p.ClusteringSample!.Value + PlotSampler.MaxPoints;
        Assert.InRange(result.CodesEncoded, image.PixelCount, image.PixelCount + samples);
    }
}
