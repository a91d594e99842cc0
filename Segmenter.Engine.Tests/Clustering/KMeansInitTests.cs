using Segmenter.Engine.Clustering;

namespace Segmenter.Engine.Tests.Clustering;

public class KMeansInitTests
{
    [Fact]
    public void Random_init_recovers_well_separated_blobs()
    {
        var (data, truth, _) = ClusterData.Blobs(blobs: 4, perBlob: 500, dims: 32, spread: 10, sigma: 1, seed: 1);
        var km = new KMeans(4, nInit: 10, seed: 42, init: KMeansInit.Random).Fit(data, 32);
        Assert.Equal(KMeansInit.Random, km.Init);
        Assert.Equal(1.0, Agreement.AdjustedRandIndex(truth, km.Labels), 12);
    }

    [Fact]
    public void Random_init_is_reproducible_and_differs_from_plus_plus()
    {
        var (data, _, _) = ClusterData.Blobs(blobs: 6, perBlob: 300, dims: 8, spread: 2, sigma: 1.5, seed: 4);
        var a = new KMeans(5, nInit: 1, seed: 3, init: KMeansInit.Random).Fit(data, 8);
        var b = new KMeans(5, nInit: 1, seed: 3, init: KMeansInit.Random).Fit(data, 8);
        var plusPlus = new KMeans(5, nInit: 1, seed: 3).Fit(data, 8);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.Inertia, b.Inertia);
        Assert.NotEqual(a.ClusterCenters, plusPlus.ClusterCenters);
    }

    [Fact]
    public void Random_init_never_starts_from_a_zero_weight_point()
    {
        // Two far outliers carry weight 0: with maxIter 1 the centres are still the drawn points' (or their
        // cluster means), and no cluster can sit on an outlier.
        float[] data = [0, 1, 2, 3, 4, 5, 1000, -1000];
        float[] w = [1, 1, 1, 1, 1, 1, 0, 0];
        for (int seed = 0; seed < 20; seed++)
        {
            var km = new KMeans(3, nInit: 1, maxIter: 1, seed: seed, init: KMeansInit.Random).Fit(data, 1, w);
            Assert.All(km.ClusterCenters, c => Assert.InRange(c, 0, 5));
        }
        var e = Assert.Throws<ArgumentException>(() => new KMeans(3, init: KMeansInit.Random).Fit(data, 1, [1, 1, 0, 0, 0, 0, 0, 0]));
        Assert.Contains("at least 3 points with a positive weight", e.Message);
    }

    [Fact]
    public void Weighted_sampler_draws_in_proportion_and_never_zero_weights()
    {
        float[] weights = [0, 1, 0, 3, 0];
        var (rows, counts) = WeightedSampler.DrawCounted(weights, weights.Length, draws: 4, seed: 1);
        Assert.DoesNotContain(0, rows);
        Assert.DoesNotContain(2, rows);
        Assert.DoesNotContain(4, rows);
        Assert.Equal(4, counts!.Sum());

        // Half the rows weigh 3 times the others: they take 3/4 of the draws (binomial sd ≈ 0.002 of the share).
        const int n = 100_000;
        var (r2, c2) = WeightedSampler.DrawCounted(Enumerable.Range(0, n).Select(i => i < n / 2 ? 1f : 3f).ToArray(), n, 40_000, seed: 2);
        Assert.Equal(40_000, c2!.Sum());
        double heavy = r2.Zip(c2!).Where(p => p.First >= n / 2).Sum(p => p.Second) / 40_000.0;
        Assert.InRange(heavy, 0.74, 0.76);
        Assert.Equal(Enumerable.Range(0, 5), WeightedSampler.DrawDistinct(null, 5, 10, seed: 1)); // few rows: all of them
    }
}
