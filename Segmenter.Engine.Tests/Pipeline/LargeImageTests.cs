using Segmenter.Bench;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>
/// What encoding costs, counted rather than timed (the encoder's work is the number of codes it computes). An image
/// whose codes the trained model keeps (<see cref="TrainedModel.MaxKeptCodeBytes"/>) is encoded exactly once; a
/// bigger one streams tile by tile once for the assignment, while its scattered k-means and plot samples are
/// encoded window by window.
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
    public void A_sampled_image_whose_codes_are_kept_is_encoded_once_and_reclusters_without_encoding()
    {
        var image = SyntheticImages.Regions(400, 300, regions: 4, noise: 6, seed: 6);
        var p = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 4, Epochs = 1 };
        Assert.True(image.PixelCount > p.ClusteringSample, "k-means must be fitted on a sample");
        var result = SegmentationPipeline.Run(image, p);
        using var resultModel = result.Model;
        Assert.Equal(image.PixelCount, result.CodesEncoded);
        Assert.Equal(0, result.Model!.Cluster(p with { Clusters = 5 }).CodesEncoded);
    }

    [Fact]
    public void A_streamed_image_is_encoded_once_plus_its_samples()
    {
        var image = SyntheticImages.Regions(1600, 1400, regions: 4, noise: 6, seed: 5);
        var p = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 4, Epochs = 1 };
        Assert.False(TrainedModel.CanKeep(image.PixelCount, p.CodeSize), "the image must be too big to keep its codes");
        var result = SegmentationPipeline.Run(image, p);
        using var resultModel = result.Model;
        // Once for the assignment, band by band, each band with its halo rows (3 above, 3 below); the fit sample is
        // drawn as 16×16 blocks whose pooled codes need each block with a 3-pixel rim; the plot's points are drawn from
        // the fit sample's features, so they cost nothing. Before the samples went window by window, each of them
        // touched every tile: about three passes.
        long halos = 2L * 3 * image.Width * ((image.Height + 162) / 163);
        long blocks = p.ClusteringSample!.Value / (FitSample.Block * FitSample.Block)
                      * (FitSample.Block + 6) * (FitSample.Block + 6);
        Assert.InRange(result.CodesEncoded, image.PixelCount, image.PixelCount + halos + blocks);
    }
}
