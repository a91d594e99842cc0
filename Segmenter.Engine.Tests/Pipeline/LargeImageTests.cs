using Segmenter.Bench;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>
/// What encoding costs, counted rather than timed (the encoder's work is the number of codes it computes). Images
/// above <see cref="RegionPixels.KeepAllCodesUpTo"/> stream tile by tile and today pass over the image more than
/// once (README, Performance: the 24-megapixel row); an image under it is encoded exactly once.
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
}
