using Segmenter.Engine.Clustering;

namespace Segmenter.Engine.Tests.Clustering;

public class ClusterQualityTests
{
    [Fact]
    public void Silhouette_one_dimensional_by_hand()
    {
        // Points 0, 1 | 10, 11. Every point has a = 1 (its one neighbour).
        // x=0:  b = (10+11)/2 = 10.5, s = 9.5/10.5;  x=1:  b = (9+10)/2 = 9.5, s = 8.5/9.5
        // x=10: b = (10+9)/2 = 9.5,   s = 8.5/9.5;   x=11: b = (11+10)/2 = 10.5, s = 9.5/10.5
        // mean = (9.5/10.5 + 8.5/9.5)/2 = 0.899749373433584 (sklearn agrees)
        double s = ClusterQuality.Silhouette([0, 1, 10, 11], 1, [0, 0, 1, 1]);
        Assert.Equal((9.5 / 10.5 + 8.5 / 9.5) / 2, s, 6);
    }

    [Fact]
    public void Silhouette_two_dimensional_with_singleton_by_hand()
    {
        // A=(0,0), B=(0,2) in cluster 0; C=(3,0) alone in cluster 1.
        // A: a = 2, b = |AC| = 3, s = 1/3.  B: a = 2, b = |BC| = √13, s = 1 − 2/√13.  C: singleton → 0.
        // mean = (1/3 + 1 − 2/√13)/3 = 0.2595443790360347 (sklearn agrees)
        double s = ClusterQuality.Silhouette([0, 0, 0, 2, 3, 0], 2, [5, 5, 9]);
        Assert.Equal((1.0 / 3 + 1 - 2 / Math.Sqrt(13)) / 3, s, 6);
    }

    [Fact]
    public void Silhouette_sample_is_deterministic_per_seed()
    {
        var (data, truth, _) = ClusterData.Blobs(3, 400, 4, 3, 1.5, seed: 20);
        double a = ClusterQuality.Silhouette(data, 4, truth, sampleSize: 200, seed: 1);
        double b = ClusterQuality.Silhouette(data, 4, truth, sampleSize: 200, seed: 1);
        double c = ClusterQuality.Silhouette(data, 4, truth, sampleSize: 200, seed: 2);
        double full = ClusterQuality.Silhouette(data, 4, truth, sampleSize: 5000);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.InRange(a, full - 0.1, full + 0.1); // a sample estimates the full score
        Assert.Equal(full, ClusterQuality.Silhouette(data, 4, truth, sampleSize: 1200, seed: 99), 12); // sample ≥ n → all points
    }

    [Fact]
    public void Silhouette_needs_at_least_two_labels()
    {
        var ex = Assert.Throws<ArgumentException>(() => ClusterQuality.Silhouette([0, 1, 2], 1, [4, 4, 4]));
        Assert.Contains("1 distinct labels", ex.Message);
        Assert.Throws<ArgumentException>(() => ClusterQuality.Silhouette([0, 1, 2], 1, [0, 1]));
        Assert.Throws<ArgumentException>(() => ClusterQuality.Silhouette([0, 1, 2, 3], 1, [0, 0, 1, 1], sampleSize: 1));
    }

    [Fact]
    public void Davies_Bouldin_one_dimensional_by_hand()
    {
        // Centroids 0.5 and 10.5, each S = 0.5, centroid distance 10 → both ratios (0.5+0.5)/10 = 0.1.
        Assert.Equal(0.1, ClusterQuality.DaviesBouldin([0, 1, 10, 11], 1, [0, 0, 1, 1]), 9);
    }

    [Fact]
    public void Davies_Bouldin_two_dimensional_by_hand()
    {
        // Cluster 0 = {(0,0),(0,2)}: centroid (0,1), S = 1. Cluster 1 = {(3,0)}: S = 0.
        // Centroid distance √10, both ratios (1+0)/√10 → DB = 1/√10 = 0.31622776601683794 (sklearn agrees).
        Assert.Equal(1 / Math.Sqrt(10), ClusterQuality.DaviesBouldin([0, 0, 0, 2, 3, 0], 2, [0, 0, 1]), 9);
    }

    [Fact]
    public void Davies_Bouldin_is_zero_when_clusters_are_tight()
    {
        // All intra-cluster distances are 0.
        Assert.Equal(0.0, ClusterQuality.DaviesBouldin([1, 1, 4, 4, 4], 1, [0, 0, 1, 1, 1]));
    }

    [Fact]
    public void Davies_Bouldin_skips_coincident_centroids()
    {
        // Clusters 0 {−1, 1} and 1 {−2, 2} share centroid 0; cluster 2 {10, 12} has centroid 11.
        // S = 1, 2, 1. Row 0: max((1+1)/11) (pair 0–1 skipped); row 1: (2+1)/11; row 2: max(2/11, 3/11).
        double expected = (2.0 / 11 + 3.0 / 11 + 3.0 / 11) / 3;
        Assert.Equal(expected, ClusterQuality.DaviesBouldin([-1, 1, -2, 2, 10, 12], 1, [0, 0, 1, 1, 2, 2]), 9);
    }

    [Fact]
    public void Quality_prefers_the_true_partition()
    {
        var (data, truth, _) = ClusterData.Blobs(4, 200, 8, 8, 1, seed: 21);
        var rng = new Random(22);
        var random = truth.Select(_ => rng.Next(4)).ToArray();
        Assert.True(ClusterQuality.Silhouette(data, 8, truth) > ClusterQuality.Silhouette(data, 8, random));
        Assert.True(ClusterQuality.DaviesBouldin(data, 8, truth) < ClusterQuality.DaviesBouldin(data, 8, random));
    }
}
