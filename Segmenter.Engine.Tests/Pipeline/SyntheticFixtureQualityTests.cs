using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>
/// Segmentation quality on the synthetic fixtures (../shared/fixtures/synthetic), as the adjusted Rand index against
/// their ground truth, compared with the original Python pipeline on the same image and k.
/// </summary>
public class SyntheticFixtureQualityTests
{
    // The original pipeline's ARI per fixture: ../shared/peers/original_pipeline.py IMAGE --clusters K --labels OUT.png
    // (30 epochs, batch 256, every pixel, KMeans n_init=10, seed 42), measured on this machine kind (2 cores) on
    // 2026-11-25 and scored with scikit-learn's adjusted_rand_score against NAME.gt.png; the figures are the table in
    // ../shared/fixtures/synthetic/README.md. Its results move with its seed, so they are a floor for us, not a target.
    public static TheoryData<string, int, double> Fixtures => new()
    {
        { "flat_noise", 4, 0.760 },
        { "texture", 3, 0.316 },
        { "low_contrast", 4, 0.351 },
        { "six_saltpep", 6, 0.689 },
    };

    /// <summary>
    /// With a 5×5 window the autoencoder reconstructs each pixel's neighbourhood, so the codes of a noisy, textured
    /// or salt-and-peppered region agree, and k-means finds the regions rather than the noise.
    /// </summary>
    private static readonly SegmentationParameters Windowed = SegmentationParameters.ForPreset(Preset.Fast) with { Window = 5 };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Windowed_codes_reach_at_least_the_original_pipelines_ARI(string name, int k, double peerAri)
    {
        double ari = SegmentFixture(name, Windowed with { Clusters = k });
        Assert.True(ari >= peerAri, $"{name}: ARI {ari:F3} < the original pipeline's {peerAri:F3}");
    }

    /// <summary>
    /// The lighting-gradient fixture varies brightness far more inside its regions than hue between them, so colour
    /// codes, ours and the original's alike, split it partly by brightness, and where k-means lands moves with the
    /// seed. One seed each is a coin toss, so this compares means over the same three seeds. The original pipeline,
    /// run as above with --seed S on 2026-11-26 (this machine kind) and scored with scikit-learn: seed 42 → 0.664
    /// (0.662 in a second run), seed 1 → 0.432, seed 2 → 0.573; mean 0.556.
    /// </summary>
    [Fact]
    public void Lighting_gradient_matches_the_original_pipeline_over_the_same_seeds()
    {
        const double peerMean = (0.664 + 0.432 + 0.573) / 3;
        var aris = new[] { 42, 1, 2 }.Select(seed => SegmentFixture("gradient", Windowed with { Clusters = 4, Seed = seed })).ToArray();
        Assert.True(aris.Average() >= peerMean,
            $"gradient: mean ARI {aris.Average():F3} ({string.Join(", ", aris.Select(a => a.ToString("F3")))}) < the original's {peerMean:F3}");
    }

    private static double SegmentFixture(string name, SegmentationParameters p)
    {
        var image = ImageLoader.Load(Path.Combine(TestPaths.SyntheticFixtures, name + ".png"));
        var truthImage = ImageLoader.Load(Path.Combine(TestPaths.SyntheticFixtures, name + ".gt.png"));
        var truth = new int[truthImage.PixelCount];
        for (int i = 0; i < truth.Length; i++) truth[i] = truthImage.Pixels[3 * i]; // grey: R = G = B = segment index
        using var result = SegmentationPipeline.Run(image, p);
        return Agreement.AdjustedRandIndex(truth, result.Labels.Select(l => (int)l).ToArray());
    }
}
