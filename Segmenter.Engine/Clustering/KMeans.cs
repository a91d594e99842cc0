using System.Numerics;
using System.Runtime.CompilerServices;

// Lets the tests drive the empty-cluster relocation directly (AllowMultiple, so it cannot clash with others).
[assembly: InternalsVisibleTo("Segmenter.Engine.Tests")]

namespace Segmenter.Engine.Clustering;

/// <summary>
/// K-means shaped like scikit-learn's <c>KMeans</c> estimator: <see cref="Init"/> (greedy k-means++ or random),
/// <see cref="NInit"/> restarts keeping the lowest inertia, <see cref="MaxIter"/>, <see cref="Tol"/>, a seed, optional
/// sample weights. Data are row-major float arrays, n × dims. This file is the estimator (validate, restarts, keep the
/// best, predict); the seeding is in <see cref="KMeansInitialisation"/>, the iterations in <see cref="LloydIterations"/>,
/// the SIMD loops in <see cref="DistanceKernels"/>, the weighted draw in <see cref="WeightedSampler"/>. The engine uses it
/// through <see cref="IClusterer"/>.
/// </summary>
/// <remarks>
/// Work is split into <see cref="RowPartitions"/> that depend only on n, with partial sums merged in partition
/// order, so the same inputs and seed give bit-identical results on every run.
/// </remarks>
public sealed class KMeans : IClusterer
{
    public KMeans(int nClusters, int nInit = 10, int maxIter = 300, double tol = 1e-4, int seed = 42,
        KMeansInit init = KMeansInit.KMeansPlusPlus)
    {
        if (!Enum.IsDefined(init))
            throw new ArgumentException($"Unknown k-means initialisation {init}; use KMeansPlusPlus or Random.", nameof(init));
        if (nClusters < 1)
            throw new ArgumentException($"The number of clusters must be at least 1; got {nClusters}.", nameof(nClusters));
        if (nInit < 1)
            throw new ArgumentException($"The number of restarts (nInit) must be at least 1; got {nInit}.", nameof(nInit));
        if (maxIter < 1)
            throw new ArgumentException($"The maximum number of iterations must be at least 1; got {maxIter}.", nameof(maxIter));
        if (double.IsNaN(tol) || tol < 0)
            throw new ArgumentException($"The tolerance must be a non-negative number; got {tol}.", nameof(tol));
        NClusters = nClusters; NInit = nInit; MaxIter = maxIter; Tol = tol; Seed = seed; Init = init;
    }

    public int NClusters { get; }
    public int NInit { get; }
    public int MaxIter { get; }
    public double Tol { get; }
    public int Seed { get; }
    public KMeansInit Init { get; }

    /// <summary>k × dims, row-major, after <see cref="Fit"/>.</summary>
    public float[] ClusterCenters { get; private set; } = [];
    public int[] Labels { get; private set; } = [];
    public double Inertia { get; private set; }
    public int Iterations { get; private set; }
    public int Dims { get; private set; }

    IClusterer IClusterer.Fit(float[] data, int dims, float[]? sampleWeight, CancellationToken cancellationToken)
        => Fit(data, dims, sampleWeight, cancellationToken);

    public KMeans Fit(float[] data, int dims, float[]? sampleWeight = null, CancellationToken cancellationToken = default)
    {
        int n = ValidateData(data, dims, nameof(data));
        int k = NClusters;
        if (n < k)
            throw new ArgumentException($"There are {n} points, fewer than the {k} clusters asked for.", nameof(data));
        float[] w = ValidateWeights(sampleWeight, n);
        cancellationToken.ThrowIfCancellationRequested();

        var parts = new RowPartitions(n);
        var ws = new KMeansWorkspace(parts.Count, n, k, dims);
        double tolAbs = Tol == 0 ? 0 : Tol * MeanFeatureVariance(data, n, dims, parts);

        // One master generator hands each restart its own seed, so restart r is reproducible on its own.
        var master = new Random(Seed);
        var seeds = new int[NInit];
        for (int r = 0; r < seeds.Length; r++) seeds[r] = master.Next();

        float[]? bestCenters = null;
        int[]? bestLabels = null;
        double bestInertia = double.PositiveInfinity;
        int bestIterations = 0;
        var labels = new int[n];
        for (int r = 0; r < NInit; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rng = new Random(seeds[r]);
            float[] centers = Init == KMeansInit.Random
                ? KMeansInitialisation.Random(data, n, dims, w, k, rng, ws)
                : KMeansInitialisation.PlusPlus(data, n, dims, w, k, rng, parts, ws);
            (centers, double inertia, int iterations) =
                LloydIterations.Run(data, n, dims, w, centers, labels, tolAbs, MaxIter, parts, ws, cancellationToken);
            if (bestLabels is null || inertia < bestInertia)
            {
                bestInertia = inertia; bestCenters = centers; bestIterations = iterations;
                if (bestLabels is null) { bestLabels = labels; labels = new int[n]; }
                else (bestLabels, labels) = (labels, bestLabels);
            }
        }

        ClusterCenters = bestCenters!;
        Labels = bestLabels!;
        Inertia = bestInertia;
        Iterations = bestIterations;
        Dims = dims;
        return this;
    }

    /// <summary>A fitted model from saved centres (k × dims, row-major), for <see cref="Predict"/>: a saved model's clustering.</summary>
    internal static KMeans FromCentres(float[] centres, int dims)
        => centres.Length > 0 && dims > 0 && centres.Length % dims == 0 && AllFinite(centres)
            ? new KMeans(centres.Length / dims) { ClusterCenters = centres, Dims = dims }
            : throw new ArgumentException($"Saved k-means centres must be finite, k × {dims} numbers; got {centres.Length}.");

    public int[] Predict(float[] data, int dims)
    {
        if (ClusterCenters.Length == 0)
            throw new InvalidOperationException("This KMeans instance is not fitted yet; call Fit before Predict.");
        int n = ValidateData(data, dims, nameof(data));
        if (dims != Dims)
            throw new ArgumentException($"The data have {dims} dimensions but the model was fitted on {Dims}.", nameof(dims));
        var labels = new int[n];
        var parts = new RowPartitions(n);
        float[] centers = ClusterCenters;
        int k = NClusters;
        Parallel.For(0, parts.Count, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (p) =>
        {
            var (start, end) = parts.Range(p);
            for (int i = start; i < end; i++)
                labels[i] = DistanceKernels.Nearest(data, i * dims, centers, k, dims, out _);
        });
        return labels;
    }

    internal static int ValidateData(float[] data, int dims, string paramName)
    {
        ArgumentNullException.ThrowIfNull(data, paramName);
        if (dims < 1)
            throw new ArgumentException($"The number of dimensions must be at least 1; got {dims}.", nameof(dims));
        if (data.Length % dims != 0)
            throw new ArgumentException(
                $"The data length {data.Length} is not a multiple of the {dims} dimensions.", paramName);
        if (!AllFinite(data))
            throw new ArgumentException("The data contain NaN or infinite values.", paramName);
        return data.Length / dims;
    }

    private static float[] ValidateWeights(float[]? sampleWeight, int n)
    {
        if (sampleWeight is null)
        {
            var ones = new float[n];
            Array.Fill(ones, 1f);
            return ones;
        }
        if (sampleWeight.Length != n)
            throw new ArgumentException(
                $"There are {sampleWeight.Length} sample weights for {n} points; give exactly one weight per point.",
                nameof(sampleWeight));
        bool anyPositive = false;
        for (int i = 0; i < sampleWeight.Length; i++)
        {
            float v = sampleWeight[i];
            if (!float.IsFinite(v))
                throw new ArgumentException($"Sample weight {i} is not finite ({v}).", nameof(sampleWeight));
            if (v < 0)
                throw new ArgumentException($"Sample weight {i} is negative ({v}); weights must be >= 0.", nameof(sampleWeight));
            anyPositive |= v > 0;
        }
        if (!anyPositive)
            throw new ArgumentException("All sample weights are zero; at least one must be positive.", nameof(sampleWeight));
        return sampleWeight;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AllFinite(float[] data)
    {
        // x - x is 0 for finite x and NaN for NaN/±∞; so the sum of (x - x) is 0 iff all are finite.
        ReadOnlySpan<float> s = data;
        var acc = Vector<float>.Zero;
        int i = 0;
        for (; i <= s.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = new Vector<float>(s.Slice(i));
            acc += v - v;
        }
        float tail = 0;
        for (; i < s.Length; i++) tail += s[i] - s[i];
        return Vector.Sum(acc) == 0 && tail == 0;
    }

    /// <summary>Mean over features of the (population) variance, as sklearn's <c>_tolerance</c>.</summary>
    private static double MeanFeatureVariance(float[] data, int n, int dims, RowPartitions parts)
    {
        var partial = new double[parts.Count][];
        Parallel.For(0, parts.Count, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (p) =>
        {
            var s = new double[dims];
            var (start, end) = parts.Range(p);
            for (int i = start; i < end; i++) DistanceKernels.AddScaled(s, 0, data, i * dims, dims, 1.0);
            partial[p] = s;
        });
        var mean = new double[dims];
        foreach (var s in partial) for (int j = 0; j < dims; j++) mean[j] += s[j];
        for (int j = 0; j < dims; j++) mean[j] /= n;

        Parallel.For(0, parts.Count, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (p) =>
        {
            var s = new double[dims];
            var (start, end) = parts.Range(p);
            for (int i = start; i < end; i++) DistanceKernels.AddSquaredDeviation(s, data, i * dims, mean, dims);
            partial[p] = s;
        });
        double total = 0;
        var sq = new double[dims];
        foreach (var s in partial) for (int j = 0; j < dims; j++) sq[j] += s[j];
        for (int j = 0; j < dims; j++) total += sq[j] / n;
        return total / dims;
    }
}
