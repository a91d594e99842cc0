using Segmenter.Bench.Scenes;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>The default (context attention) on the generated scenes: quality floors, the window's gain, cancellation.</summary>
public class ContextDefaultTests
{
    private static readonly SegmentationParameters Default = SegmentationParameters.ForPreset(Preset.Fast);

    /// <summary>
    /// Floors for the default's ARI per standard scene (scene seed 1, run seed 42): 0.02 under what
    /// `dotnet run --project Segmenter.Bench -c Release -- quality --methods default,pixel,window5,blurred-lab-kmeans,rgb-kmeans`
    /// measured on 2026-11-26 (2 cores, shared; runs are deterministic, the margin is for other CPUs' float rounding).
    /// Measured (default / blurred-Lab k-means): noisy_regions 0.997 / 0.989, lit_regions 0.503 / 0.989, textures
    /// 0.551 / 0.636, low_contrast 0.995 / 0.995, salt_pepper_6 0.987 / 0.967, many_regions_9 0.996 / 0.980,
    /// curved_shapes 0.991 / 0.988. The lighting-gradient and texture floors are low because the default is weak
    /// there (below the blurred-Lab baseline); they guard against getting worse, not a target met.
    /// The 512² scene is left to the bench to keep the suite's time modest.
    /// </summary>
    public static TheoryData<string, double> Floors => new()
    {
        { "noisy_regions", 0.977 },
        { "lit_regions", 0.483 },
        { "textures", 0.531 },
        { "low_contrast", 0.975 },
        { "salt_pepper_6", 0.967 },
        { "many_regions_9", 0.976 },
        { "curved_shapes", 0.971 },
    };

    [Theory]
    [MemberData(nameof(Floors))]
    public void Default_segments_each_generated_scene_at_least_as_measured(string name, double floor)
    {
        double ari = Segment(SceneGenerator.Generate(name), Default);
        Assert.True(ari >= floor, $"{name}: ARI {ari:F3} < floor {floor:F3}");
    }

    /// <summary>Same scene, same seed, same everything but the window: context must pay for itself.</summary>
    [Fact]
    public void The_window_beats_the_pixel_model_on_the_same_scene_and_seed()
    {
        var scene = SceneGenerator.Generate("low_contrast");
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
