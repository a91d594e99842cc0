namespace Segmenter.Engine.Clustering;

/// <summary>
/// A fixed split of n rows into contiguous ranges of whole chunks that depends on n only (never on the number of cores
/// or on thread scheduling). Each partition accumulates its own partial sums and partials are merged in partition
/// order, so the same inputs give bit-identical results on every run.
/// </summary>
internal readonly struct RowPartitions
{
    /// <summary>Rows per chunk of work; partitions are whole numbers of chunks.</summary>
    public const int ChunkRows = 4096;

    /// <summary>Upper bound on partitions, so per-partition accumulators stay small however large n is.</summary>
    public const int MaxPartitions = 64;

    private readonly int _n, _chunks;

    public RowPartitions(int n)
    {
        _n = n;
        _chunks = Math.Max(1, (n + ChunkRows - 1) / ChunkRows);
        Count = Math.Min(_chunks, MaxPartitions);
    }

    public int Count { get; }

    public (int Start, int End) Range(int p)
    {
        long c0 = (long)p * _chunks / Count, c1 = (long)(p + 1) * _chunks / Count;
        return ((int)Math.Min(_n, c0 * ChunkRows), (int)Math.Min(_n, c1 * ChunkRows));
    }
}

/// <summary>Buffers allocated once per <see cref="KMeans.Fit"/> and reused by every restart.</summary>
internal sealed class KMeansWorkspace
{
    public KMeansWorkspace(int partitions, int n, int k, int dims)
    {
        // k-means++ buffers.
        Cumulative = new double[n];
        Closest = new float[n];
        TrialDist = new float[2 + (int)Math.Log(k)][];
        for (int t = 0; t < TrialDist.Length; t++) TrialDist[t] = new float[n];

        // Lloyd's per-partition partial sums.
        Sums = new double[partitions][];
        Weights = new double[partitions][];
        for (int p = 0; p < partitions; p++) { Sums[p] = new double[k * dims]; Weights[p] = new double[k]; }
        Inertia = new double[partitions];
        Changed = new long[partitions];
    }

    public readonly double[][] Sums;
    public readonly double[][] Weights;
    public readonly double[] Inertia;
    public readonly long[] Changed;
    public readonly double[] Cumulative;
    public float[] Closest;
    public readonly float[][] TrialDist;
}
