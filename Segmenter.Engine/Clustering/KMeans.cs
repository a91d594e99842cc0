namespace Segmenter.Engine.Clustering;

/// <summary>
/// K-means shaped like scikit-learn's: k-means++ (greedy) initialisation, <see cref="NInit"/> restarts keeping the
/// lowest inertia, <see cref="MaxIter"/>, <see cref="Tol"/>, a seed, optional sample weights.
/// Data are row-major float arrays, n × dims.
/// </summary>
public sealed class KMeans
{
    public KMeans(int nClusters, int nInit = 10, int maxIter = 300, double tol = 1e-4, int seed = 42)
    {
        NClusters = nClusters; NInit = nInit; MaxIter = maxIter; Tol = tol; Seed = seed;
    }

    public int NClusters { get; }
    public int NInit { get; }
    public int MaxIter { get; }
    public double Tol { get; }
    public int Seed { get; }

    /// <summary>k × dims, row-major, after <see cref="Fit"/>.</summary>
    public float[] ClusterCenters { get; private set; } = [];
    public int[] Labels { get; private set; } = [];
    public double Inertia { get; private set; }
    public int Iterations { get; private set; }
    public int Dims { get; private set; }

    public KMeans Fit(float[] data, int dims, float[]? sampleWeight = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException("contract: Clustering helper implements this");

    public int[] Predict(float[] data, int dims)
        => throw new NotImplementedException("contract: Clustering helper implements this");
}
