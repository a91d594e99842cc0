using Segmenter.Bench.Scenes;
using Segmenter.Engine.Baselines;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>The default (context attention) on the generated scenes: quality floors, the window's gain, cancellation.</summary>
public class ContextDefaultTests
{
    private static readonly SegmentationParameters Default = SegmentationParameters.ForPreset(Preset.Fast);

    /// <summary>
    /// Floors for the default's ARI per standard scene (scene seed 1, run seed 42): 0.02 under the default's figures that
    /// `dotnet run --project Segmenter.Bench -c Release -- quality --methods default,pixel,rgb-kmeans,blurred-lab-kmeans`
    /// prints (docs/performance.md, "Quality"). Runs are deterministic; the margin is for other CPUs' float rounding.
    /// The 512² scene is left to the bench to keep the suite's time modest.
    /// </summary>
    public static TheoryData<string, double> Floors => new()
    {
        { "noisy_regions", 0.979 },
        { "lit_regions", 0.979 },
        { "textures", 0.973 },
        { "low_contrast", 0.974 },
        { "salt_pepper_6", 0.975 },
        { "many_regions_9", 0.979 },
        { "curved_shapes", 0.979 },
    };

    /// <summary>
    /// The default's bar, scene by scene: the default is never more than 0.02 below the blurred-Lab baseline and never
    /// below plain RGB k-means (both computed here with the project's own k-means, same k and seed).
    /// </summary>
    [Theory]
    [MemberData(nameof(Floors))]
    public void Default_segments_each_generated_scene_at_least_as_measured_and_as_the_colour_baselines(string name, double floor)
    {
        var scene = SceneGenerator.Generate(name);
        double ari = Segment(scene, Default);
        Assert.True(ari >= floor, $"{name}: ARI {ari:F4} < floor {floor:F3}");
        var settings = new ColourBaselines.Settings(scene.K, Seed: Default.Seed);
        double blurredLab = Agreement.AdjustedRandIndex(scene.Truth, ColourBaselines.BlurredLabKMeans(scene.Image, settings));
        double rgb = Agreement.AdjustedRandIndex(scene.Truth, ColourBaselines.RgbKMeans(scene.Image, settings));
        Assert.True(ari >= blurredLab - 0.02, $"{name}: ARI {ari:F4} more than 0.02 below blurred-Lab k-means' {blurredLab:F4}");
        Assert.True(ari > rgb, $"{name}: ARI {ari:F4} not above RGB k-means' {rgb:F4}");
    }

    /// <summary>Same scene, same seed, same everything but the window: context must pay for itself.</summary>
    [Fact]
    public void The_window_beats_the_pixel_model_on_the_same_scene_and_seed()
    {
        // Textures: two regions share one mean colour, so only a pixel's neighbourhood tells them apart (with pooled
        // features and blurred colours, the pixel model matches the window on the noisy scenes).
        var scene = SceneGenerator.Generate("textures");
        double windowed = Segment(scene, Default), pixel = Segment(scene, Default with { Window = 1 });
        Assert.True(Default.Window > 1, "the default uses context");
        Assert.True(windowed > pixel + 0.2, $"window {Default.Window}: ARI {windowed:F3}; pixel model: {pixel:F3}");
    }

    [Fact]
    public void Cancelling_windowed_training_stops_within_one_batch()
    {
        var scene = SceneGenerator.Generate("noisy_regions");
        using var cts = new CancellationTokenSource();
        int epochsSeen = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => SegmentationPipeline.Run(scene.Image, Default with { Clusters = scene.K, Epochs = 50 }, e =>
        {
            if (e is EpochCompleted) { epochsSeen++; cts.Cancel(); }
        }, cts.Token));
        Assert.Equal(1, epochsSeen);
    }

    private static double Segment(Scene scene, SegmentationParameters p)
    {
        var result = SegmentationPipeline.Run(scene.Image, p with { Clusters = scene.K });
        using var resultModel = result.Model;
        return Agreement.AdjustedRandIndex(scene.Truth, result.Labels.Select(l => (int)l).ToArray());
    }
}
