using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>A trained model saved and applied elsewhere: same weights, same centres, same labels.</summary>
public sealed class SavedModelTests
{
    [Theory]
    [InlineData(1)] // distinct colours are the items
    [InlineData(3)] // pixels with their 3×3 neighbourhood are the items
    public void A_saved_model_applied_to_its_own_image_reproduces_the_labels_exactly(int window)
    {
        var (image, _) = SampleImages.Blocks(48, 32, seed: 3);
        var p = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 3, Epochs = 2, Window = window, Seed = 11 };
        var trained = SegmentationPipeline.Run(image, p);
        using var trainedModel = trained.Model;
        using var model = SavedAndLoaded(trained);
        Assert.Equal(trained.Parameters, model.Parameters);
        var applied = model.Apply(image);
        Assert.Equal(trained.Labels, applied.Labels);
        Assert.Equal(trained.Clusters, applied.Clusters);
        Assert.Equal(trained.Centres, applied.Centres);
        Assert.Equal(trained.Inertia, applied.Inertia, 3);
    }

    private static SavedModel SavedAndLoaded(SegmentationResult trained)
    {
        using var file = new MemoryStream();
        SavedModel.Save(trained, file);
        file.Position = 0;
        return SavedModel.Load(file);
    }

    /// <summary>On natural textures the texture block goes through its learnt map (<see cref="FeatureScale.TextureMix"/>): the file keeps it.</summary>
    [Fact]
    public void A_saved_model_of_textures_keeps_its_texture_map_and_reproduces_the_labels_exactly()
    {
        var image = ImageLoader.Load(Path.Combine(TestPaths.RepoRoot, "Segmenter.Engine.Tests", "Fixtures", "textures", "brick_grass.png"));
        var p = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 2, Epochs = 2, Seed = 11 };
        var trained = SegmentationPipeline.Run(image, p);
        using var trainedModel = trained.Model;
        using var model = SavedAndLoaded(trained);
        var applied = model.Apply(image);
        Assert.NotNull(TrainedModel.Of(trained).Features.Scale?.TextureMix);
        Assert.Equal(trained.Labels, applied.Labels);
        Assert.Equal(trained.Centres, applied.Centres);
    }

    [Fact]
    public void A_saved_model_segments_another_image_with_the_same_centres()
    {
        var (first, _) = SampleImages.Blocks(48, 32, seed: 1);
        var (second, _) = SampleImages.Blocks(40, 24, seed: 2);
        var trained = SegmentationPipeline.Run(first, SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 3, Epochs = 2 });
        using var trainedModel = trained.Model;
        using var file = new MemoryStream();
        SavedModel.Save(trained, file);
        file.Position = 0;
        using var model = SavedModel.Load(file);

        var applied = model.Apply(second);
        Assert.Equal((40, 24), (applied.Width, applied.Height));
        Assert.Equal(40 * 24, applied.Clusters.Sum(c => c.PixelCount));
        // The two images' blocks share their three colours, so cluster c of the saved model finds the same block
        // again: the same index, the same mean colour within the noise.
        for (int c = 0; c < 3; c++)
        {
            Assert.True(applied.Clusters[c].PixelCount > 0);
            Assert.InRange(Math.Abs(applied.Clusters[c].R - trained.Clusters[c].R), 0, 6);
            Assert.InRange(Math.Abs(applied.Clusters[c].G - trained.Clusters[c].G), 0, 6);
            Assert.InRange(Math.Abs(applied.Clusters[c].B - trained.Clusters[c].B), 0, 6);
        }
        Assert.Equal(0, applied.Timings.TrainSeconds);
    }

    [Fact]
    public void A_file_that_is_not_a_saved_model_is_refused_with_a_message()
    {
        using var junk = new MemoryStream("not a model at all"u8.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => SavedModel.Load(junk));
        Assert.StartsWith("This is not a usable saved model:", e.Message);
    }

    [Fact]
    public void A_result_whose_model_was_disposed_cannot_be_saved()
    {
        var (image, _) = SampleImages.Blocks(16, 16);
        var trained = SegmentationPipeline.Run(image, SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 2, Epochs = 1 });
        trained.Model!.Dispose();
        Assert.Throws<ObjectDisposedException>(() => SavedModel.Save(trained, new MemoryStream()));
    }
}
