using Segmenter.Engine.Clustering;
using Segmenter.Bench.Scenes;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;
using Xunit.Abstractions;

namespace Segmenter.Engine.Tests.Scenes;

/// <summary>Segmentation quality on generated scenes (ARI against their ground truth), where the scene's kind decides what must win.</summary>
public class SceneQualityTests(ITestOutputHelper output)
{
    /// <summary>
    /// In the low-contrast scene the regions' colours are closer together than the noise on each pixel (σ 25), so a
    /// code of one pixel's colour scatters every region across the clusters; a 5×5 window averages the noise away.
    /// Same scene, seed and everything else.
    /// </summary>
    [Fact]
    public void On_low_contrast_a_five_by_five_window_beats_the_single_pixel_window()
    {
        var scene = SceneGenerator.Generate("low_contrast");
        // The codes alone on both sides (no pooling, colour or border refinement): it is the window being compared.
        var p = SegmentationParameters.ForPreset(Preset.Fast) with
            { Clusters = scene.K, Window = 5, CodePooling = 0, ColourWeight = 0, BorderRefinement = 0 };
        double window5 = Ari(scene, p), window1 = Ari(scene, p with { Window = 1 });
        output.WriteLine($"low_contrast (seed {SceneGenerator.StandardSeed}): ARI window 5 {window5:F3}, window 1 {window1:F3}");
        Assert.True(window5 > window1, $"window 5 ARI {window5:F3} ≤ window 1 ARI {window1:F3}");
    }

    private static double Ari(Scene scene, SegmentationParameters p)
    {
        var result = SegmentationPipeline.Run(scene.Image, p);
        using var resultModel = result.Model;
        return Agreement.AdjustedRandIndex(scene.Truth, result.Labels.Select(l => (int)l).ToArray());
    }
}
