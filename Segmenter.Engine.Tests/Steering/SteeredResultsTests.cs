using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Engine.Tests.Steering;

/// <summary>An edited clustering becomes a result of the same trained model: labels, clusters, plot and centres follow the edit.</summary>
public sealed class SteeredResultsTests
{
    private static readonly SegmentationParameters Quick = SegmentationParameters.ForPreset(Preset.Fast) with { Epochs = 1, Clusters = 3 };

    [Fact]
    public void A_merge_relabels_the_result_and_keeps_the_model_for_the_next_edit()
    {
        var (image, _) = SampleImages.Blocks(32, 24, seed: 2);
        var trained = SegmentationPipeline.Run(image, Quick);
        using var trainedModel = trained.Model;
        var (codes, dims) = trained.Model!.PixelCodes();
        var initial = SteeredClusters.FromLabels(codes, dims, trained.Labels.Select(l => (int)l).ToArray(), trained.Clusters.Count);
        var merged = ClusterEdits.Merge(initial, codes, dims, [0, 2]);

        var edited = trained.Model!.Relabel(trained, merged, codes, dims);

        Assert.Equal(2, edited.Clusters.Count);
        Assert.Equal(2, edited.Parameters.Clusters);
        Assert.True(edited.Reclustered);
        Assert.Equal(merged.Labels, edited.Labels.Select(l => (int)l));
        Assert.Equal(merged.Centres, edited.Centres);
        Assert.Equal(trained.Clusters[0].PixelCount + trained.Clusters[2].PixelCount, edited.Clusters[0].PixelCount);
        Assert.Equal(trained.Clusters[1].PixelCount, edited.Clusters[1].PixelCount);
        Assert.All(edited.Plot.Labels, l => Assert.InRange(l, 0, 1));
        // The edit shares the run's one model, so it can be edited (and encoded) again.
        Assert.Same(trained.Model, edited.Model);
        Assert.True(edited.Model!.ResidentBytes > 0);
        Assert.Equal(codes, edited.Model.PixelCodes().Codes);
    }

    [Fact]
    public void The_unedited_clustering_draws_the_same_plot_points_from_the_codes_as_the_run_did_from_the_model()
    {
        var (image, _) = SampleImages.Blocks(32, 24, seed: 2);
        var trained = SegmentationPipeline.Run(image, Quick with { Window = 3 });
        using var trainedModel = trained.Model;
        var (codes, dims) = trained.Model!.PixelCodes();
        var same = SteeredClusters.FromLabels(codes, dims, trained.Labels.Select(l => (int)l).ToArray(), trained.Clusters.Count);
        var shown = trained.Model!.Relabel(trained, same, codes, dims);
        Assert.Equal(trained.Labels, shown.Labels);
        Assert.Equal(trained.Plot.Rgb, shown.Plot.Rgb);
        Assert.Equal(trained.Plot.Labels, shown.Plot.Labels);
        // Same pixels, same codes (encoded in other batches): the same projection up to float rounding.
        for (int i = 0; i < trained.Plot.Codes3.Length; i++) Assert.Equal(trained.Plot.Codes3[i], shown.Plot.Codes3[i], 3);
    }

    [Fact]
    public void An_edit_leaving_one_cluster_or_of_another_image_size_is_refused_with_a_message()
    {
        var (image, _) = SampleImages.Blocks(32, 24, seed: 2);
        var trained = SegmentationPipeline.Run(image, Quick with { Clusters = 2 });
        using var trainedModel = trained.Model;
        var (codes, dims) = trained.Model!.PixelCodes();
        var initial = SteeredClusters.FromLabels(codes, dims, trained.Labels.Select(l => (int)l).ToArray(), 2);
        var one = ClusterEdits.Merge(initial, codes, dims, [0, 1]);
        Assert.Contains("this edit leaves 1", Assert.Throws<ArgumentException>(() => trained.Model!.Relabel(trained, one, codes, dims)).Message);
        var (other, _) = SampleImages.Blocks(16, 24, seed: 2);
        var smaller = SegmentationPipeline.Run(other, Quick with { Clusters = 2, Epochs = 1 });
        smaller.Model!.Dispose();
        Assert.Contains("edit on the image it ran on", Assert.Throws<ArgumentException>(() => trained.Model!.Relabel(smaller, initial, codes, dims)).Message);
    }

    [Fact]
    public void A_label_PNG_reads_as_strokes_and_a_wrong_size_colour_or_value_is_refused()
    {
        var strokes = new byte[4 * 3];
        strokes[1] = 1; strokes[11] = Scribbles.MaxBrushes;
        var read = Scribbles.ReadLabelPng(new MemoryStream(ImageLoader.EncodeLabelPng(strokes, 4, 3)), 4, 3);
        Assert.Equal(strokes, read.BrushOfPixel);
        Assert.Equal([1, Scribbles.MaxBrushes], read.Brushes());

        Assert.Contains("are 4×3 but the image is 5×3", Assert.Throws<ArgumentException>(
            () => Scribbles.ReadLabelPng(new MemoryStream(ImageLoader.EncodeLabelPng(strokes, 4, 3)), 5, 3)).Message);
        strokes[5] = Scribbles.MaxBrushes + 1;
        Assert.Contains("is not a brush", Assert.Throws<ArgumentException>(
            () => Scribbles.ReadLabelPng(new MemoryStream(ImageLoader.EncodeLabelPng(strokes, 4, 3)), 4, 3)).Message);
        var coloured = new RgbImage(4, 3, new byte[4 * 3 * 3]);
        coloured.Pixels[0] = 9;
        Assert.Contains("greyscale", Assert.Throws<ArgumentException>(
            () => Scribbles.ReadLabelPng(new MemoryStream(ImageLoader.EncodePng(coloured)), 4, 3)).Message);
        Assert.Contains("not a readable image", Assert.Throws<ArgumentException>(
            () => Scribbles.ReadLabelPng(new MemoryStream([1, 2, 3]), 4, 3)).Message);
    }
}
