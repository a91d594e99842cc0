using Segmenter.Engine.Clustering;

namespace Segmenter.Engine.Tests.Clustering;

public class KMeansTests
{
    [Fact]
    public void Well_separated_blobs_are_recovered_exactly()
    {
        var (data, truth, means) = ClusterData.Blobs(blobs: 4, perBlob: 500, dims: 32, spread: 10, sigma: 1, seed: 1);
        var km = new KMeans(4, seed: 42).Fit(data, 32);

        Assert.Equal(1.0, Agreement.AdjustedRandIndex(truth, km.Labels), 12);
        Assert.Equal(4 * 32, km.ClusterCenters.Length);
        Assert.Equal(32, km.Dims);
        Assert.InRange(km.Iterations, 1, 300);
        // Each fitted centre is within noise of its blob mean (the mean of 500 N(0,1) draws: σ ≈ 0.045 per axis).
        for (int c = 0; c < 4; c++)
        {
            int blob = truth[Array.IndexOf(km.Labels, c)];
            for (int j = 0; j < 32; j++)
                Assert.Equal(means[blob * 32 + j], km.ClusterCenters[c * 32 + j], 0.3);
        }
        // Inertia ≈ n·dims·σ² for the true partition.
        Assert.InRange(km.Inertia, 0.9 * 2000 * 32, 1.1 * 2000 * 32);
    }

    [Fact]
    public void Inertia_is_the_weighted_sum_of_squared_distances_to_assigned_centres()
    {
        var (data, _, _) = ClusterData.Blobs(3, 100, 5, 5, 1, seed: 3);
        var rng = new Random(4);
        var w = Enumerable.Range(0, 300).Select(_ => (float)rng.NextDouble() * 2).ToArray();
        var km = new KMeans(3, nInit: 3).Fit(data, 5, w);
        double expected = 0;
        for (int i = 0; i < 300; i++)
            for (int j = 0; j < 5; j++)
            {
                double d = data[i * 5 + j] - km.ClusterCenters[km.Labels[i] * 5 + j];
                expected += w[i] * d * d;
            }
        Assert.Equal(expected, km.Inertia, expected * 1e-5);
    }

    [Fact]
    public void Integer_weights_act_like_duplicated_points()
    {
        var (data, _, _) = ClusterData.Blobs(3, 100, 4, 6, 1, seed: 5);
        var rng = new Random(6);
        var weights = new float[300];
        var duplicated = new List<float>();
        for (int i = 0; i < 300; i++)
        {
            int m = rng.Next(0, 4); // 0..3 copies; zero weight = point absent
            weights[i] = m;
            for (int r = 0; r < m; r++) duplicated.AddRange(data.AsSpan(i * 4, 4).ToArray());
        }

        var weighted = new KMeans(3, seed: 42).Fit(data, 4, weights);
        var dup = new KMeans(3, seed: 42).Fit(duplicated.ToArray(), 4);

        Assert.Equal(dup.Inertia, weighted.Inertia, dup.Inertia * 1e-4);
        var a = ClusterData.SortedCenters(weighted.ClusterCenters, 4);
        var b = ClusterData.SortedCenters(dup.ClusterCenters, 4);
        for (int c = 0; c < 3; c++)
            for (int j = 0; j < 4; j++)
                Assert.Equal(b[c][j], a[c][j], 1e-4 * Math.Max(1, Math.Abs(b[c][j])));
    }

    [Fact]
    public void Same_seed_gives_identical_results()
    {
        var data = ClusterData.Uniform(5000, 3, seed: 7);
        var a = new KMeans(8, nInit: 4, seed: 123).Fit(data, 3);
        var b = new KMeans(8, nInit: 4, seed: 123).Fit(data, 3);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.ClusterCenters, b.ClusterCenters);
        Assert.Equal(a.Inertia, b.Inertia);
        Assert.Equal(a.Iterations, b.Iterations);
    }

    [Fact]
    public void Results_are_reproducible_across_chunked_parallel_work()
    {
        // More than one 4096-row chunk, so several partitions are merged.
        var data = ClusterData.Uniform(20_000, 4, seed: 8);
        var first = new KMeans(5, nInit: 2, seed: 9).Fit(data, 4);
        for (int run = 0; run < 3; run++)
        {
            var again = new KMeans(5, nInit: 2, seed: 9).Fit(data, 4);
            Assert.Equal(first.ClusterCenters, again.ClusterCenters);
            Assert.Equal(first.Inertia, again.Inertia);
            Assert.Equal(first.Labels, again.Labels);
        }
    }

    [Fact]
    public void Different_seeds_can_give_different_local_optima()
    {
        var data = ClusterData.Uniform(2000, 2, seed: 10);
        var inertias = Enumerable.Range(0, 8).Select(s => new KMeans(10, nInit: 1, seed: s).Fit(data, 2).Inertia).ToArray();
        Assert.True(inertias.Distinct().Count() > 1, "eight seeds on uniform data should not all land on the same optimum");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void More_restarts_never_increase_inertia(int seed)
    {
        var data = ClusterData.Uniform(3000, 2, seed: 11);
        double one = new KMeans(12, nInit: 1, seed: seed).Fit(data, 2).Inertia;
        double ten = new KMeans(12, nInit: 10, seed: seed).Fit(data, 2).Inertia;
        Assert.True(ten <= one, $"nInit=10 gave {ten}, worse than nInit=1's {one}");
    }

    [Fact]
    public void Predict_on_training_data_equals_labels()
    {
        var data = ClusterData.Uniform(10_000, 6, seed: 12); // > one chunk, and ambiguous boundaries
        var km = new KMeans(7, nInit: 2).Fit(data, 6);
        Assert.Equal(km.Labels, km.Predict(data, 6));
    }

    [Fact]
    public void Predict_assigns_new_points_to_nearest_centre()
    {
        float[] data = [0, 0, 0, 1, 1, 0, 10, 10, 10, 11, 11, 10];
        var km = new KMeans(2).Fit(data, 2);
        int[] p = km.Predict([0.5f, 0.5f, 9f, 9f, -3f, 1f], 2);
        Assert.Equal(p[0], p[2]);
        Assert.NotEqual(p[0], p[1]);
        Assert.Equal(km.Labels[0], p[0]);
    }

    [Fact]
    public void Single_cluster_is_the_weighted_mean()
    {
        float[] data = [0, 2, 4, 10];
        var km = new KMeans(1, nInit: 1).Fit(data, 1, [1, 1, 1, 0]);
        Assert.Equal(2f, km.ClusterCenters[0], 1e-6);
        Assert.Equal(8.0, km.Inertia, 1e-9); // 4 + 0 + 4, the zero-weight point does not count
    }

    [Fact]
    public void Duplicate_points_still_give_k_non_empty_clusters()
    {
        // Thousands of copies of two points plus a few distinct ones: at least k distinct points exist.
        var data = new List<float>();
        for (int i = 0; i < 2000; i++) data.AddRange([0f, 0f]);
        for (int i = 0; i < 2000; i++) data.AddRange([1f, 0f]);
        data.AddRange([5f, 5f, -5f, 5f, 0f, -7f]);
        for (int seed = 0; seed < 5; seed++)
        {
            var km = new KMeans(5, nInit: 3, seed: seed).Fit(data.ToArray(), 2);
            Assert.Equal(5, km.Labels.Distinct().Count());
            Assert.Equal(0.0, km.Inertia, 1e-9); // five distinct points, five clusters
        }
    }

    [Fact]
    public void All_identical_points_do_not_crash()
    {
        var data = Enumerable.Repeat(3f, 50 * 2).ToArray();
        var km = new KMeans(3).Fit(data, 2);
        Assert.Equal(0.0, km.Inertia);
        Assert.All(km.ClusterCenters, v => Assert.Equal(3f, v));
        Assert.Equal(50, km.Labels.Length);
    }

    [Fact]
    public void Empty_cluster_is_reseeded_at_the_farthest_point()
    {
        // 1-d points 0,1,2,10 all labelled 0 (centre at 1); cluster 1 (centre at 100) received nothing.
        float[] data = [0, 1, 2, 10];
        float[] w = [1, 1, 1, 2];
        float[] centersOld = [1, 100];
        int[] labels = [0, 0, 0, 0];
        double[] sums = [0 + 1 + 2 + 20, 0];
        double[] weights = [5, 0];

        bool relocated = LloydIterations.RelocateEmptyClusters(data, 4, 1, w, centersOld, labels, sums, weights);

        Assert.True(relocated);
        // The point at 10 (squared distance 81) moves with its weight 2 from cluster 0 to cluster 1.
        Assert.Equal([3.0, 20.0], sums);
        Assert.Equal([3.0, 2.0], weights);
    }

    [Fact]
    public void Cancellation_is_honoured()
    {
        var data = ClusterData.Uniform(1000, 2, seed: 13);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new KMeans(3).Fit(data, 2, cancellationToken: cts.Token));
    }

    // ------------------------------------------------------------ validation

    [Theory]
    [InlineData(0, 10, 300, 1e-4, "clusters")]
    [InlineData(3, 0, 300, 1e-4, "nInit")]
    [InlineData(3, 10, 0, 1e-4, "iterations")]
    [InlineData(3, 10, 300, -1e-3, "tolerance")]
    [InlineData(3, 10, 300, double.NaN, "tolerance")]
    public void Constructor_rejects_bad_parameters(int k, int nInit, int maxIter, double tol, string mentions)
    {
        var ex = Assert.Throws<ArgumentException>(() => new KMeans(k, nInit, maxIter, tol));
        Assert.Contains(mentions, ex.Message);
    }

    [Fact]
    public void Fewer_points_than_clusters_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new KMeans(4).Fit([1, 2, 3, 4, 5, 6], 2));
        Assert.StartsWith("There are 3 points, fewer than the 4 clusters asked for.", ex.Message);
        Assert.Equal("data", ex.ParamName);
    }

    [Fact]
    public void Data_shape_is_validated()
    {
        Assert.Contains("not a multiple of the 2 dimensions",
            Assert.Throws<ArgumentException>(() => new KMeans(1).Fit([1, 2, 3], 2)).Message);
        Assert.Contains("at least 1",
            Assert.Throws<ArgumentException>(() => new KMeans(1).Fit([1, 2, 3], 0)).Message);
        Assert.Contains("NaN or infinite",
            Assert.Throws<ArgumentException>(() => new KMeans(1).Fit([1, float.NaN, 3], 1)).Message);
        Assert.Contains("0 points",
            Assert.Throws<ArgumentException>(() => new KMeans(1).Fit([], 1)).Message);
        Assert.Throws<ArgumentNullException>(() => new KMeans(1).Fit(null!, 1));
    }

    [Fact]
    public void Sample_weights_are_validated()
    {
        float[] data = [0, 1, 2, 3];
        var km = new KMeans(2);
        Assert.Contains("3 sample weights for 4 points",
            Assert.Throws<ArgumentException>(() => km.Fit(data, 1, [1, 1, 1])).Message);
        Assert.Contains("negative",
            Assert.Throws<ArgumentException>(() => km.Fit(data, 1, [1, -1, 1, 1])).Message);
        Assert.Contains("not finite",
            Assert.Throws<ArgumentException>(() => km.Fit(data, 1, [1, float.PositiveInfinity, 1, 1])).Message);
        Assert.Contains("not finite",
            Assert.Throws<ArgumentException>(() => km.Fit(data, 1, [1, float.NaN, 1, 1])).Message);
        Assert.Contains("All sample weights are zero",
            Assert.Throws<ArgumentException>(() => km.Fit(data, 1, [0, 0, 0, 0])).Message);
        Assert.Equal("sampleWeight", Assert.Throws<ArgumentException>(() => km.Fit(data, 1, [0, 0, 0, 0])).ParamName);
    }

    [Fact]
    public void Predict_validates_its_input()
    {
        Assert.Throws<InvalidOperationException>(() => new KMeans(2).Predict([1, 2], 1));
        var km = new KMeans(2).Fit([0, 0, 1, 1, 5, 5], 2);
        Assert.Contains("fitted on 2",
            Assert.Throws<ArgumentException>(() => km.Predict([0, 0, 0], 3)).Message);
    }
}
