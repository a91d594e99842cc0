using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>The colour baselines are computed once per image, k and seed; a re-cluster at the same k only rescores them.</summary>
public sealed class BaselineCacheTests
{
    // Pixels coloured by the result's own labels (i % k), so the colour k-means has real clusters to find.
    private static RgbImage ImageOf(SegmentationResult result)
    {
        var px = new byte[result.Labels.Length * 3];
        for (int i = 0; i < result.Labels.Length; i++)
        {
            var (r, g, b) = TestData.Colours[result.Labels[i] % TestData.Colours.Length];
            px[3 * i] = r; px[3 * i + 1] = g; px[3 * i + 2] = b;
        }
        return new RgbImage(result.Width, result.Height, px);
    }

    private static SegmentationResult WithLabels(SegmentationResult r, byte[] labels)
        => new(r.Parameters, r.Width, r.Height, labels, r.Clusters, r.EpochLosses, r.Inertia, r.KMeansIterations, r.Timings, r.Plot, model: null);

    [Fact]
    public void A_recluster_at_the_same_k_reuses_the_baselines_and_scores_its_own_labels_against_them()
    {
        var cache = new BaselineCache();
        var first = TestData.Result(3);
        var image = ImageOf(first);
        var before = cache.Beside(image, first, default);

        // Same image, k and seed, other labels (a re-cluster with other k-means settings): the same baseline labels, new ARIs.
        var shuffled = WithLabels(first, first.Labels.Select((_, i) => (byte)(i / 16 % 3)).ToArray());
        var after = cache.Beside(image, shuffled, default);
        Assert.Equal(before.Select(b => b.Name), after.Select(b => b.Name));
        Assert.All(before.Zip(after), pair => Assert.Same(pair.First.Labels, pair.Second.Labels));
        var fresh = BaselineView.Beside(image, StabilitySeeds.Ints(shuffled.Labels), 3, first.Parameters.Seed);
        Assert.Equal(fresh.Select(b => b.AriWithRun), after.Select(b => b.AriWithRun));
        Assert.NotEqual(before.Select(b => b.AriWithRun), after.Select(b => b.AriWithRun));
    }

    [Fact]
    public void Another_k_or_another_image_computes_them_again()
    {
        var cache = new BaselineCache();
        var three = TestData.Result(3);
        var image = ImageOf(three);
        var atThree = cache.Beside(image, three, default);

        var four = TestData.Result(4);
        Assert.NotSame(atThree[0].Labels, cache.Beside(image, four, default)[0].Labels);
        var again = cache.Beside(image, three, default);
        Assert.NotSame(atThree[0].Labels, again[0].Labels);
        Assert.NotSame(again[0].Labels, cache.Beside(ImageOf(three), three, default)[0].Labels);
    }
}
