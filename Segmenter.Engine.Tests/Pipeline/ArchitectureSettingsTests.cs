using System.Text.Json.Nodes;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>The architecture knobs: the model's shape and k-means' seeding, end to end through training, clustering and saving.</summary>
public sealed class ArchitectureSettingsTests
{
    private static readonly SegmentationParameters Quick = SegmentationParameters.ForPreset(Preset.Fast) with { Epochs = 1, Clusters = 3 };

    [Theory]
    [InlineData(2, 16, 1, 1, Activation.Relu, 1)]
    [InlineData(8, 32, 2, 1, Activation.Gelu, 3)]
    [InlineData(16, 64, 1, 3, Activation.Silu, 1)]
    [InlineData(64, 128, 2, 2, Activation.Tanh, 3)]
    [InlineData(128, 256, 4, 4, Activation.Gelu, 1)]
    public void Every_shape_trains_clusters_plots_reclusters_and_saves(int code, int width, int encoder, int decoder, Activation activation, int window)
    {
        var (image, _) = SampleImages.Blocks(32, 24, seed: 2);
        var p = Quick with
        {
            CodeSize = code, HiddenWidth = width, EncoderDepth = encoder, DecoderDepth = decoder, Activation = activation,
            Window = window, Heads = 8,
        };
        var result = SegmentationPipeline.Run(image, p);
        using var resultModel = result.Model;
        Assert.Equal(image.PixelCount, result.Labels.Length);
        int dims = ClusterFeatures.DimsFor(p); // the code, and the blurred colour beside it under the Fast preset
        Assert.Equal(p.Clusters * dims, result.Centres.Length);
        Assert.True(double.IsFinite(result.EpochLosses.Single().Loss));
        Assert.Equal(3 * result.Plot.Count, result.Plot.Codes3.Length);
        Assert.Equal(image.PixelCount * dims, result.Model!.Encode().Length);

        var attention = result.Model!.AttentionAt(image, 5, 5);
        Assert.Equal(window == 1, attention is null);

        var again = result.Model!.Cluster(p with { KMeansRestarts = 2, KMeansInit = KMeansInit.Random });
        Assert.True(again.Reclustered);
        Assert.Equal(KMeansInit.Random, again.Parameters.KMeansInit);

        using var file = new MemoryStream();
        SavedModel.Save(result, file);
        file.Position = 0;
        using var saved = SavedModel.Load(file);
        Assert.Equal(p, saved.Parameters);
        var applied = saved.Apply(image);
        Assert.Equal(result.Labels, applied.Labels);
    }

    [Fact]
    public void A_code_of_two_is_plotted_as_it_is()
    {
        var (image, _) = SampleImages.Blocks(32, 24, seed: 4);
        // Raw codes: pooled codes beside colours are five numbers, plotted through PCA.
        var result = SegmentationPipeline.Run(image, Quick with { CodeSize = 2, CodePooling = 0, ColourWeight = 0 });
        using var resultModel = result.Model;
        var plotted = result.Plot.Codes3;
        // The third axis is padding, and the first two are codes themselves (ReLU codes are never negative; PCA's would be centred).
        Assert.All(Enumerable.Range(0, result.Plot.Count), i => Assert.Equal(0f, plotted[3 * i + 2]));
        Assert.All(Enumerable.Range(0, result.Plot.Count), i => Assert.True(plotted[3 * i] >= 0 && plotted[3 * i + 1] >= 0));
    }

    [Fact]
    public void Same_seed_gives_the_same_labels_with_a_non_default_shape()
    {
        var (image, _) = SampleImages.Blocks(40, 30, seed: 5);
        var p = Quick with { Epochs = 2, CodeSize = 16, HiddenWidth = 48, EncoderDepth = 2, DecoderDepth = 2, Activation = Activation.Gelu, Window = 3 };
        var a = SegmentationPipeline.Run(image, p);
        using var aModel = a.Model;
        var b = SegmentationPipeline.Run(image, p);
        using var bModel = b.Model;
        Assert.Equal(a.EpochLosses.Select(e => e.Loss), b.EpochLosses.Select(e => e.Loss));
        Assert.Equal(a.Labels, b.Labels);
    }

    [Theory]
    [InlineData(32, 60, 8, 1, 1, "Hidden width 60 is not divisible by 8 heads.")]
    [InlineData(1, 64, 2, 1, 1, "The code size must be between 2 and 128; got 1.")]
    [InlineData(129, 64, 2, 1, 1, "The code size must be between 2 and 128; got 129.")]
    [InlineData(32, 8, 2, 1, 1, "The hidden width must be between 16 and 256; got 8.")]
    [InlineData(32, 512, 2, 1, 1, "The hidden width must be between 16 and 256; got 512.")]
    [InlineData(32, 64, 2, 0, 1, "The encoder depth must be between 1 and 4; got 0.")]
    [InlineData(32, 64, 2, 1, 5, "The decoder depth must be between 1 and 4; got 5.")]
    [InlineData(32, 64, 3, 1, 1, "Attention heads must be 1, 2, 4, 8 or 16 (they divide the hidden width evenly); got 3.")]
    public void Bad_shapes_are_refused_with_a_clear_message(int code, int width, int heads, int encoder, int decoder, string message)
    {
        var p = Quick with { CodeSize = code, HiddenWidth = width, Heads = heads, EncoderDepth = encoder, DecoderDepth = decoder };
        var e = Assert.Throws<ArgumentException>(() => p.Validate(1000));
        Assert.Equal(message, e.Message);
        var (image, _) = SampleImages.Blocks(16, 16);
        Assert.Throws<ArgumentException>(() => SegmentationPipeline.Run(image, p).Model?.Dispose());
    }

    [Fact]
    public void Unknown_activation_or_initialisation_is_refused_by_name()
    {
        Assert.Contains("must be one of \"relu\", \"gelu\", \"silu\", \"tanh\"",
            Assert.Throws<ArgumentException>(() => ReportParameters.Read(new JsonObject { ["activation"] = "sigmoid" })).Message);
        Assert.Contains("must be one of \"kmeansplusplus\", \"random\"",
            Assert.Throws<ArgumentException>(() => ReportParameters.Read(new JsonObject { ["kmeansInit"] = "forgy" })).Message);
    }

    [Fact]
    public void The_new_settings_round_trip_through_the_report_and_old_reports_read_the_original_shape()
    {
        var p = Quick with
        {
            CodeSize = 16, HiddenWidth = 96, EncoderDepth = 3, DecoderDepth = 2, Activation = Activation.Silu, KMeansInit = KMeansInit.Random,
        };
        var json = JsonNode.Parse(ReportParameters.ToJson(p).ToJsonString())!.AsObject();
        Assert.Equal(16, (int)json["codeSize"]!);
        Assert.Equal("silu", (string)json["activation"]!);
        Assert.Equal(p, ReportParameters.Read(json));

        // A report stored before these settings existed: the original architecture and k-means++.
        var old = ReportParameters.Read(new JsonObject { ["preset"] = "fast", ["clusters"] = 5, ["heads"] = 4 });
        Assert.Equal((32, 64, 1, 1, Activation.Relu, KMeansInit.KMeansPlusPlus),
            (old.CodeSize, old.HiddenWidth, old.EncoderDepth, old.DecoderDepth, old.Activation, old.KMeansInit));
    }
}
