namespace Segmenter.Engine.Clustering;

/// <summary>Internal cluster-validity indices (as scikit-learn's metrics).</summary>
public static class ClusterQuality
{
    /// <summary>Mean silhouette coefficient over (a seeded sample of at most <paramref name="sampleSize"/>) points.</summary>
    public static double Silhouette(float[] data, int dims, int[] labels, int sampleSize = 5000, int seed = 42)
        => throw new NotImplementedException("contract: Clustering helper implements this");

    /// <summary>Davies–Bouldin index (lower is better).</summary>
    public static double DaviesBouldin(float[] data, int dims, int[] labels)
        => throw new NotImplementedException("contract: Clustering helper implements this");
}
