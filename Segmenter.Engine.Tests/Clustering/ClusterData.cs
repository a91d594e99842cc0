namespace Segmenter.Engine.Tests.Clustering;

/// <summary>Seeded synthetic data for clustering tests.</summary>
internal static class ClusterData
{
    /// <summary>Isotropic Gaussian blobs: <paramref name="blobs"/> centres drawn in [-spread, spread]^dims.</summary>
    public static (float[] Data, int[] Truth, float[] Means) Blobs(int blobs, int perBlob, int dims, double spread,
        double sigma, int seed)
    {
        var rng = new Random(seed);
        var means = new float[blobs * dims];
        for (int i = 0; i < means.Length; i++) means[i] = (float)((rng.NextDouble() * 2 - 1) * spread);
        int n = blobs * perBlob;
        var data = new float[n * dims];
        var truth = new int[n];
        for (int i = 0; i < n; i++)
        {
            int b = i % blobs;
            truth[i] = b;
            for (int j = 0; j < dims; j++) data[i * dims + j] = (float)(means[b * dims + j] + sigma * Gaussian(rng));
        }
        return (data, truth, means);
    }

    /// <summary>Uniform points in the unit square: many near-equivalent local optima for k-means.</summary>
    public static float[] Uniform(int n, int dims, int seed)
    {
        var rng = new Random(seed);
        var data = new float[n * dims];
        for (int i = 0; i < data.Length; i++) data[i] = (float)rng.NextDouble();
        return data;
    }

    public static double Gaussian(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Centres re-ordered lexicographically, so runs with different label names can be compared.</summary>
    public static float[][] SortedCenters(float[] centers, int dims) =>
        Enumerable.Range(0, centers.Length / dims)
            .Select(c => centers.AsSpan(c * dims, dims).ToArray())
            .OrderBy(c => c, Comparer<float[]>.Create((a, b) =>
            {
                for (int j = 0; j < a.Length; j++) { int r = a[j].CompareTo(b[j]); if (r != 0) return r; }
                return 0;
            }))
            .ToArray();
}
