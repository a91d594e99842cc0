using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Baselines;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Steering;

namespace Segmenter.Engine.Tests.Steering;

public class SeedStabilityTests
{
    [Fact]
    public void Alignment_recovers_a_permutation_exactly()
    {
        var rng = new Random(7);
        int[] first = Enumerable.Range(0, 500).Select(_ => rng.Next(5)).ToArray();
        int[] permutation = [3, 0, 4, 1, 2];
        int[] permuted = first.Select(l => permutation[l]).ToArray();

        var stability = SeedStability.Of([first, permuted]);

        Assert.Equal(first, stability.Aligned[1]);
        Assert.All(stability.Agreement, a => Assert.Equal(1f, a));
        Assert.Equal(1.0, stability.MeanPairwiseAri, 12);
    }

    [Fact]
    public void Agreement_is_the_majority_share_and_ARI_the_mean_over_pairs()
    {
        // Run b differs from a on the last pixel only (after renaming 0↔1), run c equals a.
        int[] a = [0, 0, 0, 1, 1, 1];
        int[] b = [1, 1, 1, 0, 0, 1];
        int[] c = [0, 0, 0, 1, 1, 1];

        var stability = SeedStability.Of([a, b, c]);

        Assert.Equal([0, 0, 0, 1, 1, 0], stability.Aligned[1]);
        Assert.Equal([1f, 1f, 1f, 1f, 1f, 2f / 3f], stability.Agreement);
        // ARI(a,c) = 1; ARI(a,b) = ARI(c,b) = 8/33 by hand (the AgreementTests example: rows {2,1,0},{0,1,2} up to naming).
        // Here: truth {0,0,0,1,1,1} vs {1,1,1,0,0,1}: cells 3,0 / 1,2 → Σ C = 3 + 0 + 0 + 1 = 4; rows 3+3 = 6; columns C(4,2)+C(2,2) = 7;
        // E = 6·7/15 = 2.8; max = 6.5; ARI = 1.2/3.7 = 12/37.
        Assert.Equal((1.0 + 2 * 12.0 / 37.0) / 3, stability.MeanPairwiseAri, 12);
    }

    [Fact]
    public void One_run_is_refused() => Assert.Throws<ArgumentException>(() => SeedStability.Of([[0, 1]]));

    [Fact]
    public void Map_is_red_where_seeds_disagree_and_the_dimmed_original_where_they_agree()
    {
        var original = new RgbImage(2, 1, [100, 200, 50, 100, 200, 50]);
        var stability = SeedStability.Of([[0, 1], [0, 0]]);
        // Two runs: pixel 1 has one vote each way → agreement 1/2, so half-way from the dimmed original to red.
        var map = stability.RenderOver(original);
        Assert.Equal(new byte[] { 50, 100, 25, 153, 50, 13 }, map.Pixels);
    }
}

public class TruthScoreTests
{
    [Fact]
    public void ARI_and_matched_mean_IoU_match_hand_computed_values()
    {
        // truth [0,0,0,1,1,1], predicted [0,0,1,1,2,2]: ARI = 8/33 (hand-computed in AgreementTests).
        // IoU: truth0 vs cluster0 = 2/3, truth0 vs 1 = 1/5, truth1 vs 1 = 1/5, truth1 vs 2 = 2/3: best matching 0→0, 1→2 → mean 2/3.
        var score = TruthScore.Of([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]);
        Assert.Equal(8.0 / 33.0, score.Ari, 12);
        Assert.Equal(2.0 / 3.0, score.MatchedMeanIoU, 12);
    }

    [Fact]
    public void Reads_a_greyscale_label_png()
    {
        using var image = new Image<L8>(3, 2);
        image[0, 0] = new L8(0); image[1, 0] = new L8(1); image[2, 0] = new L8(1);
        image[0, 1] = new L8(2); image[1, 1] = new L8(2); image[2, 1] = new L8(0);
        var png = new MemoryStream();
        image.SaveAsPng(png);
        png.Position = 0;

        var labels = TruthScore.ReadLabelMap(png, 3, 2);

        Assert.Equal(1.0, Segmenter.Engine.Clustering.Agreement.AdjustedRandIndex([0, 1, 1, 2, 2, 0], labels), 12);
    }

    [Fact]
    public void A_wrong_size_is_refused_with_both_sizes()
    {
        using var image = new Image<L8>(4, 4);
        var png = new MemoryStream();
        image.SaveAsPng(png);
        png.Position = 0;
        var e = Assert.Throws<ArgumentException>(() => TruthScore.ReadLabelMap(png, 3, 2));
        Assert.Contains("4×4", e.Message);
        Assert.Contains("3×2", e.Message);
    }

    [Fact]
    public void Not_an_image_is_refused() =>
        Assert.Throws<ArgumentException>(() => TruthScore.ReadLabelMap(new MemoryStream("not a png"u8.ToArray()), 3, 2));
}

public class BaselineComparisonTests
{
    [Fact]
    public void Both_baselines_find_two_flat_colours_and_agree_with_a_run_that_does()
    {
        // Left half red, right half blue, 16×8: both colour baselines split it exactly.
        var px = new byte[16 * 8 * 3];
        int[] truth = new int[16 * 8];
        for (int i = 0; i < truth.Length; i++)
        {
            bool right = i % 16 >= 8;
            truth[i] = right ? 1 : 0;
            px[3 * i] = right ? (byte)0 : (byte)220; px[3 * i + 2] = right ? (byte)220 : (byte)0;
        }
        var views = BaselineComparison(new RgbImage(16, 8, px), truth);

        Assert.Equal([BaselineView.RgbName, BaselineView.BlurredLabName], views.Select(v => v.Name));
        Assert.All(views, v => Assert.Equal(1.0, v.AriWithRun, 12));
        Assert.All(views, v => Assert.Equal(1.0, v.Against(truth).MatchedMeanIoU, 12));
    }

    [Fact]
    public void Above_the_runs_working_resolution_the_baselines_work_on_its_copy_and_come_back_to_every_pixel()
    {
        // 200×100, red left of column 87, blue from it (an odd border that a 2× downscale blurs into one mixed
        // column): the baselines work on the 5,000-pixel copy, as a run with MaxPixels 5,000 does.
        const int W = 200, H = 100, Border = 87, MaxPixels = 5_000;
        var px = new byte[W * H * 3];
        var truth = new int[W * H];
        for (int i = 0; i < truth.Length; i++)
        {
            bool right = i % W >= Border;
            truth[i] = right ? 1 : 0;
            px[3 * i] = right ? (byte)0 : (byte)220; px[3 * i + 2] = right ? (byte)220 : (byte)0;
        }
        var image = new RgbImage(W, H, px);
        var resolution = WorkingResolution.For(image, MaxPixels);
        Assert.True(resolution.IsDownscaled);

        var views = BaselineView.Beside(image, truth, clusters: 2, seed: 42, maxPixels: MaxPixels);

        Assert.All(views, v => Assert.Equal(W * H, v.Labels.Length));
        // The colour-guided upsampling keeps the border to the pixel: full agreement with the truth and the run.
        Assert.All(views, v => Assert.Equal(1.0, v.AriWithRun, 12));
        Assert.All(views, v => Assert.Equal(1.0, v.Against(truth).MatchedMeanIoU, 12));
        // And on noise, where the copy's clustering differs from the full image's, the labels are the copy's
        // baseline brought back, as computed by hand.
        var rng = new Random(3);
        rng.NextBytes(px);
        var noise = new RgbImage(W, H, px);
        var settings = new ColourBaselines.Settings(2, BaselineView.Restarts, 42, FitSample: BaselineView.FitSample);
        var byHand = WorkingResolution.For(noise, MaxPixels) is var r
            ? r.ToFull(Array.ConvertAll(ColourBaselines.RgbKMeans(r.Working, settings), l => (byte)l)) : null;
        var fullResolution = Array.ConvertAll(ColourBaselines.RgbKMeans(noise, settings), l => (byte)l);
        Assert.NotEqual(fullResolution, byHand);
        Assert.Equal(byHand, BaselineView.Beside(noise, truth, clusters: 2, seed: 42, maxPixels: MaxPixels)[0].Labels);
    }

    private static IReadOnlyList<BaselineView> BaselineComparison(RgbImage image, int[] runLabels) =>
        BaselineView.Beside(image, runLabels, clusters: 2, seed: 42);
}
