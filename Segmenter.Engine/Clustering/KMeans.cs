using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

// Lets the tests drive the empty-cluster relocation directly (AllowMultiple, so it cannot clash with others).
[assembly: InternalsVisibleTo("Segmenter.Engine.Tests")]

namespace Segmenter.Engine.Clustering;

/// <summary>
/// K-means shaped like scikit-learn's: k-means++ (greedy) initialisation, <see cref="NInit"/> restarts keeping the
/// lowest inertia, <see cref="MaxIter"/>, <see cref="Tol"/>, a seed, optional sample weights.
/// Data are row-major float arrays, n × dims.
/// </summary>
/// <remarks>
/// Work is split into a fixed number of contiguous row partitions that depends only on n (never on the number of
/// cores or on thread scheduling); each partition accumulates its own partial sums, and partials are merged in
/// partition order, so the same inputs and seed give bit-identical results on every run.
/// </remarks>
public sealed class KMeans
{
    /// <summary>Rows per chunk of work; partitions are whole numbers of chunks.</summary>
    internal const int ChunkRows = 4096;

    /// <summary>Upper bound on partitions, so per-partition accumulators stay small however large n is.</summary>
    internal const int MaxPartitions = 64;

    public KMeans(int nClusters, int nInit = 10, int maxIter = 300, double tol = 1e-4, int seed = 42)
    {
        if (nClusters < 1)
            throw new ArgumentException($"The number of clusters must be at least 1; got {nClusters}.", nameof(nClusters));
        if (nInit < 1)
            throw new ArgumentException($"The number of restarts (nInit) must be at least 1; got {nInit}.", nameof(nInit));
        if (maxIter < 1)
            throw new ArgumentException($"The maximum number of iterations must be at least 1; got {maxIter}.", nameof(maxIter));
        if (double.IsNaN(tol) || tol < 0)
            throw new ArgumentException($"The tolerance must be a non-negative number; got {tol}.", nameof(tol));
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
    {
        int n = ValidateData(data, dims, nameof(data));
        int k = NClusters;
        if (n < k)
            throw new ArgumentException($"There are {n} points, fewer than the {k} clusters asked for.", nameof(data));
        float[] w = ValidateWeights(sampleWeight, n);
        cancellationToken.ThrowIfCancellationRequested();

        var parts = new Partitions(n);
        var ws = new Workspace(parts.Count, n, k, dims);
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
            float[] centers = KMeansPlusPlus(data, n, dims, w, k, rng, parts, ws);
            (centers, double inertia, int iterations) =
                Lloyd(data, n, dims, w, centers, labels, tolAbs, parts, ws, cancellationToken);
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
        var parts = new Partitions(n);
        float[] centers = ClusterCenters;
        int k = NClusters;
        Parallel.For(0, parts.Count, p =>
        {
            var (start, end) = parts.Range(p);
            for (int i = start; i < end; i++)
                labels[i] = Nearest(data, i * dims, centers, k, dims, out _);
        });
        return labels;
    }

    // ---------------------------------------------------------------- validation

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

    // ---------------------------------------------------------------- partitions & workspace

    /// <summary>Fixed split of n rows into contiguous ranges of whole chunks; depends on n only.</summary>
    internal readonly struct Partitions
    {
        private readonly int _n, _chunks;
        public Partitions(int n)
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

    private sealed class Workspace
    {
        public Workspace(int partitions, int n, int k, int dims)
        {
            // k-means++ buffers, allocated once per Fit and reused by every restart.
            Cumulative = new double[n];
            Closest = new float[n];
            TrialDist = new float[2 + (int)Math.Log(k)][];
            for (int t = 0; t < TrialDist.Length; t++) TrialDist[t] = new float[n];

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

    // ---------------------------------------------------------------- tolerance

    /// <summary>Mean over features of the (population) variance, as sklearn's <c>_tolerance</c>.</summary>
    private static double MeanFeatureVariance(float[] data, int n, int dims, Partitions parts)
    {
        var partial = new double[parts.Count][];
        Parallel.For(0, parts.Count, p =>
        {
            var s = new double[dims];
            var (start, end) = parts.Range(p);
            for (int i = start; i < end; i++) AddScaled(s, 0, data, i * dims, dims, 1.0);
            partial[p] = s;
        });
        var mean = new double[dims];
        foreach (var s in partial) for (int j = 0; j < dims; j++) mean[j] += s[j];
        for (int j = 0; j < dims; j++) mean[j] /= n;

        Parallel.For(0, parts.Count, p =>
        {
            var s = new double[dims];
            var (start, end) = parts.Range(p);
            for (int i = start; i < end; i++) AddSquaredDeviation(s, data, i * dims, mean, dims);
            partial[p] = s;
        });
        double total = 0;
        var sq = new double[dims];
        foreach (var s in partial) for (int j = 0; j < dims; j++) sq[j] += s[j];
        for (int j = 0; j < dims; j++) total += sq[j] / n;
        return total / dims;
    }

    // ---------------------------------------------------------------- k-means++ (greedy)

    /// <summary>
    /// Greedy k-means++ as sklearn's <c>_kmeans_plusplus</c>: the first centre is drawn with probability ∝ weight;
    /// each further centre takes 2 + ⌊ln k⌋ candidates drawn ∝ weight·D², keeping the one with the lowest potential.
    /// </summary>
    private static float[] KMeansPlusPlus(float[] data, int n, int dims, float[] w, int k, Random rng,
        Partitions parts, Workspace ws)
    {
        var centers = new float[k * dims];
        int trials = 2 + (int)Math.Log(k);
        var cum = ws.Cumulative;

        double run = 0;
        for (int i = 0; i < n; i++) { run += w[i]; cum[i] = run; }
        int first = SearchRight(cum, rng.NextDouble() * run);
        Array.Copy(data, first * dims, centers, 0, dims);

        var closest = ws.Closest;
        Parallel.For(0, parts.Count, p =>
        {
            var (start, end) = parts.Range(p);
            for (int i = start; i < end; i++) closest[i] = SquaredDistance(data, i * dims, data, first * dims, dims);
        });

        var trialDist = ws.TrialDist;
        var candidates = new int[trials];
        var pots = new double[trials];
        var partPots = new double[parts.Count * trials];

        for (int c = 1; c < k; c++)
        {
            run = 0;
            for (int i = 0; i < n; i++) { run += (double)w[i] * closest[i]; cum[i] = run; }
            for (int t = 0; t < trials; t++) candidates[t] = SearchRight(cum, rng.NextDouble() * run);

            Array.Clear(partPots);
            Parallel.For(0, parts.Count, p =>
            {
                var (start, end) = parts.Range(p);
                Span<double> pot = stackalloc double[trials];
                // Point-major within a group of four candidates, so each row is read once per group.
                ref float d0 = ref MemoryMarshal.GetArrayDataReference(data);
                int last = trials - 1;
                // Groups of four candidates (the last group padded with repeats of the last candidate).
                for (int t0 = 0; t0 < trials; t0 += 4)
                {
                    int o1 = candidates[Math.Min(t0 + 1, last)] * dims, o2 = candidates[Math.Min(t0 + 2, last)] * dims,
                        o3 = candidates[Math.Min(t0 + 3, last)] * dims, o0 = candidates[t0] * dims;
                    int m = Math.Min(4, trials - t0);
                    float[] dist0 = trialDist[t0], dist1 = trialDist[t0 + Math.Min(1, m - 1)],
                        dist2 = trialDist[t0 + Math.Min(2, m - 1)], dist3 = trialDist[t0 + Math.Min(3, m - 1)];
                    double p0 = 0, p1 = 0, p2 = 0, p3 = 0;
                    for (int i = start; i < end; i++)
                    {
                        float cl = closest[i];
                        double wi = w[i];
                        SquaredDistances4(ref Unsafe.Add(ref d0, i * dims), ref Unsafe.Add(ref d0, o0),
                            ref Unsafe.Add(ref d0, o1), ref Unsafe.Add(ref d0, o2), ref Unsafe.Add(ref d0, o3),
                            dims, out float e0, out float e1, out float e2, out float e3);
                        // Padded slots write the same value as the real last trial to its own array: harmless.
                        e0 = Math.Min(cl, e0); e1 = Math.Min(cl, e1); e2 = Math.Min(cl, e2); e3 = Math.Min(cl, e3);
                        dist3[i] = e3; dist2[i] = e2; dist1[i] = e1; dist0[i] = e0;
                        p0 += wi * e0; p1 += wi * e1; p2 += wi * e2; p3 += wi * e3;
                    }
                    pot[t0] = p0;
                    if (m > 1) pot[t0 + 1] = p1;
                    if (m > 2) pot[t0 + 2] = p2;
                    if (m > 3) pot[t0 + 3] = p3;
                }
                for (int t = 0; t < trials; t++) partPots[p * trials + t] = pot[t];
            });
            Array.Clear(pots);
            for (int p = 0; p < parts.Count; p++)
                for (int t = 0; t < trials; t++) pots[t] += partPots[p * trials + t];

            int best = 0;
            for (int t = 1; t < trials; t++) if (pots[t] < pots[best]) best = t;
            (closest, trialDist[best]) = (trialDist[best], closest);
            Array.Copy(data, candidates[best] * dims, centers, c * dims, dims);
        }
        ws.Closest = closest;
        return centers;
    }

    /// <summary>
    /// First index whose cumulative value exceeds <paramref name="value"/> (so points with zero mass are never drawn
    /// while any mass remains), clipped to the last index.
    /// </summary>
    private static int SearchRight(double[] cum, double value)
    {
        int lo = 0, hi = cum.Length; // first i with cum[i] > value in [lo, hi)
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cum[mid] > value) hi = mid; else lo = mid + 1;
        }
        return Math.Min(lo, cum.Length - 1);
    }

    // ---------------------------------------------------------------- Lloyd

    /// <summary>Lloyd iterations as sklearn's <c>_kmeans_single_lloyd</c>; fills <paramref name="labels"/>.</summary>
    private (float[] Centers, double Inertia, int Iterations) Lloyd(float[] data, int n, int dims, float[] w,
        float[] centers, int[] labels, double tolAbs, Partitions parts, Workspace ws, CancellationToken ct)
    {
        int k = NClusters;
        var centersNew = new float[k * dims];
        var sums = new double[k * dims];
        var weightIn = new double[k];
        Array.Fill(labels, -1);
        bool strict = false;
        int it = 0;
        while (it < MaxIter)
        {
            ct.ThrowIfCancellationRequested();
            it++;
            long changed = AssignAndAccumulate(data, dims, w, centers, k, labels, parts, ws, sums, weightIn, out _);
            bool relocated = RelocateEmptyClusters(data, n, dims, w, centers, labels, sums, weightIn);

            double shift = 0;
            for (int c = 0; c < k; c++)
            {
                int o = c * dims;
                if (weightIn[c] > 0)
                {
                    double inv = 1.0 / weightIn[c];
                    for (int j = 0; j < dims; j++) centersNew[o + j] = (float)(sums[o + j] * inv);
                }
                else Array.Copy(centers, o, centersNew, o, dims); // only reachable with zero-weight points
                for (int j = 0; j < dims; j++) { double d = centersNew[o + j] - centers[o + j]; shift += d * d; }
            }
            (centers, centersNew) = (centersNew, centers);

            if (changed == 0 && !relocated) { strict = true; break; }
            if (shift <= tolAbs) break;
        }

        double inertia;
        if (strict)
            inertia = InertiaFor(data, dims, w, centers, labels, parts, ws);
        else
            AssignAndAccumulate(data, dims, w, centers, k, labels, parts, ws, null, null, out inertia);
        return (centers, inertia, it);
    }

    /// <summary>
    /// E-step: label each point with its nearest centre; if <paramref name="sums"/> is given also accumulate the
    /// weighted sums and weights per cluster (the M-step numerators). Returns the number of labels that changed.
    /// </summary>
    private static long AssignAndAccumulate(float[] data, int dims, float[] w, float[] centers, int k, int[] labels,
        Partitions parts, Workspace ws, double[]? sums, double[]? weightIn, out double inertia)
    {
        bool accumulate = sums is not null;
        Parallel.For(0, parts.Count, p =>
        {
            var (start, end) = parts.Range(p);
            double[] s = ws.Sums[p], wt = ws.Weights[p];
            if (accumulate) { Array.Clear(s); Array.Clear(wt); }
            double inert = 0;
            long changed = 0;
            for (int i = start; i < end; i++)
            {
                int o = i * dims;
                int label = Nearest(data, o, centers, k, dims, out float dist);
                float wi = w[i];
                inert += (double)wi * dist;
                if (labels[i] != label) { labels[i] = label; changed++; }
                if (accumulate && wi != 0)
                {
                    wt[label] += wi;
                    AddScaled(s, label * dims, data, o, dims, wi);
                }
            }
            ws.Inertia[p] = inert;
            ws.Changed[p] = changed;
        });

        inertia = 0;
        long totalChanged = 0;
        if (accumulate)
        {
            Array.Clear(sums!);
            Array.Clear(weightIn!);
        }
        for (int p = 0; p < parts.Count; p++) // fixed merge order → reproducible sums
        {
            inertia += ws.Inertia[p];
            totalChanged += ws.Changed[p];
            if (!accumulate) continue;
            double[] s = ws.Sums[p], wt = ws.Weights[p];
            for (int j = 0; j < s.Length; j++) sums![j] += s[j];
            for (int c = 0; c < k; c++) weightIn![c] += wt[c];
        }
        return totalChanged;
    }

    private static double InertiaFor(float[] data, int dims, float[] w, float[] centers, int[] labels,
        Partitions parts, Workspace ws)
    {
        Parallel.For(0, parts.Count, p =>
        {
            var (start, end) = parts.Range(p);
            double inert = 0;
            for (int i = start; i < end; i++)
                inert += (double)w[i] * SquaredDistance(data, i * dims, centers, labels[i] * dims, dims);
            ws.Inertia[p] = inert;
        });
        double total = 0;
        for (int p = 0; p < parts.Count; p++) total += ws.Inertia[p];
        return total;
    }

    /// <summary>
    /// As sklearn's <c>_relocate_empty_clusters</c>: each cluster with no weight takes over one of the points
    /// farthest from their (old) centres, whose contribution moves from its old cluster to the empty one.
    /// </summary>
    internal static bool RelocateEmptyClusters(float[] data, int n, int dims, float[] w, float[] centersOld,
        int[] labels, double[] sums, double[] weightIn)
    {
        int k = weightIn.Length;
        var empty = new List<int>();
        for (int c = 0; c < k; c++) if (weightIn[c] == 0) empty.Add(c);
        if (empty.Count == 0) return false;

        // Top-|empty| points by distance to their centre; ties go to the lower index (deterministic).
        var far = new List<(float Dist, int Index)>(empty.Count + 1);
        for (int i = 0; i < n; i++)
        {
            float d = SquaredDistance(data, i * dims, centersOld, labels[i] * dims, dims);
            if (far.Count == empty.Count && d <= far[^1].Dist) continue;
            int pos = far.Count;
            while (pos > 0 && far[pos - 1].Dist < d) pos--;
            far.Insert(pos, (d, i));
            if (far.Count > empty.Count) far.RemoveAt(far.Count - 1);
        }

        for (int e = 0; e < empty.Count; e++)
        {
            int newC = empty[e], idx = far[e].Index, oldC = labels[idx];
            double wi = w[idx];
            int xo = idx * dims;
            for (int j = 0; j < dims; j++)
            {
                sums[oldC * dims + j] -= data[xo + j] * wi;
                sums[newC * dims + j] = data[xo + j] * wi;
            }
            weightIn[newC] = wi;
            weightIn[oldC] -= wi;
        }
        return true;
    }

    // ---------------------------------------------------------------- kernels

    /// <summary>Index of the nearest centre (lowest index on ties) and its squared distance.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Nearest(float[] data, int offset, float[] centers, int k, int dims, out float bestDist)
    {
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(data), offset);
        ref float c0 = ref MemoryMarshal.GetArrayDataReference(centers);
        int best = 0;
        bestDist = float.PositiveInfinity;
        int c = 0;
        // Four centres at a time: the row is loaded once per group and the four independent accumulators
        // keep the adder pipeline busy (a single accumulator is latency-bound).
        for (; c + 4 <= k; c += 4)
        {
            SquaredDistances4(ref x, ref Unsafe.Add(ref c0, c * dims), ref Unsafe.Add(ref c0, (c + 1) * dims),
                ref Unsafe.Add(ref c0, (c + 2) * dims), ref Unsafe.Add(ref c0, (c + 3) * dims), dims,
                out float d0, out float d1, out float d2, out float d3);
            if (d0 < bestDist) { bestDist = d0; best = c; }
            if (d1 < bestDist) { bestDist = d1; best = c + 1; }
            if (d2 < bestDist) { bestDist = d2; best = c + 2; }
            if (d3 < bestDist) { bestDist = d3; best = c + 3; }
        }
        for (; c < k; c++)
        {
            float d = SquaredDistance(ref x, ref Unsafe.Add(ref c0, c * dims), dims);
            if (d < bestDist) { bestDist = d; best = c; }
        }
        return best;
    }

    /// <summary>
    /// Squared distances from one row to four others; bit-identical to four <see cref="SquaredDistance(float[], int, float[], int, int)"/>
    /// calls (same per-lane accumulation, same lane sum, same scalar tail).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SquaredDistances4(ref float x, ref float c0, ref float c1, ref float c2, ref float c3, int dims,
        out float d0, out float d1, out float d2, out float d3)
    {
        int j = 0;
        d0 = d1 = d2 = d3 = 0;
        if (dims >= Vector<float>.Count)
        {
            Vector<float> a0 = Vector<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (; j <= dims - Vector<float>.Count; j += Vector<float>.Count)
            {
                var xv = Vector.LoadUnsafe(ref x, (nuint)j);
                var e0 = xv - Vector.LoadUnsafe(ref c0, (nuint)j); a0 += e0 * e0;
                var e1 = xv - Vector.LoadUnsafe(ref c1, (nuint)j); a1 += e1 * e1;
                var e2 = xv - Vector.LoadUnsafe(ref c2, (nuint)j); a2 += e2 * e2;
                var e3 = xv - Vector.LoadUnsafe(ref c3, (nuint)j); a3 += e3 * e3;
            }
            d0 = Vector.Sum(a0); d1 = Vector.Sum(a1); d2 = Vector.Sum(a2); d3 = Vector.Sum(a3);
        }
        for (; j < dims; j++)
        {
            float xj = Unsafe.Add(ref x, j);
            float e0 = xj - Unsafe.Add(ref c0, j); d0 += e0 * e0;
            float e1 = xj - Unsafe.Add(ref c1, j); d1 += e1 * e1;
            float e2 = xj - Unsafe.Add(ref c2, j); d2 += e2 * e2;
            float e3 = xj - Unsafe.Add(ref c3, j); d3 += e3 * e3;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float SquaredDistance(float[] a, int aOffset, float[] b, int bOffset, int dims) =>
        SquaredDistance(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(a), aOffset),
            ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(b), bOffset), dims);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SquaredDistance(ref float ra, ref float rb, int dims)
    {
        int j = 0;
        float sum = 0;
        if (dims >= Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            for (; j <= dims - Vector<float>.Count; j += Vector<float>.Count)
            {
                var d = Vector.LoadUnsafe(ref ra, (nuint)j) - Vector.LoadUnsafe(ref rb, (nuint)j);
                acc += d * d;
            }
            sum = Vector.Sum(acc);
        }
        for (; j < dims; j++)
        {
            float d = Unsafe.Add(ref ra, j) - Unsafe.Add(ref rb, j);
            sum += d * d;
        }
        return sum;
    }

    /// <summary>acc[j] += (src[sOffset + j] − mean[j])², in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddSquaredDeviation(double[] acc, float[] src, int sOffset, double[] mean, int dims)
    {
        ref double ra = ref MemoryMarshal.GetArrayDataReference(acc);
        ref double rm = ref MemoryMarshal.GetArrayDataReference(mean);
        ref float rs = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(src), sOffset);
        int j = 0;
        if (dims >= Vector<float>.Count)
        {
            int h = Vector<double>.Count;
            for (; j <= dims - Vector<float>.Count; j += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref rs, (nuint)j), out Vector<double> lo, out Vector<double> hi);
                lo -= Vector.LoadUnsafe(ref rm, (nuint)j);
                hi -= Vector.LoadUnsafe(ref rm, (nuint)(j + h));
                (Vector.LoadUnsafe(ref ra, (nuint)j) + lo * lo).StoreUnsafe(ref ra, (nuint)j);
                (Vector.LoadUnsafe(ref ra, (nuint)(j + h)) + hi * hi).StoreUnsafe(ref ra, (nuint)(j + h));
            }
        }
        for (; j < dims; j++)
        {
            double d = Unsafe.Add(ref rs, j) - Unsafe.Add(ref rm, j);
            Unsafe.Add(ref ra, j) += d * d;
        }
    }

    /// <summary>dst[dOffset..+dims] += weight · src[sOffset..+dims], in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaled(double[] dst, int dOffset, float[] src, int sOffset, int dims, double weight)
    {
        ref double rd = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(dst), dOffset);
        ref float rs = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(src), sOffset);
        int j = 0;
        if (dims >= Vector<float>.Count)
        {
            var wv = new Vector<double>(weight);
            for (; j <= dims - Vector<float>.Count; j += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref rs, (nuint)j), out Vector<double> lo, out Vector<double> hi);
                (Vector.LoadUnsafe(ref rd, (nuint)j) + lo * wv).StoreUnsafe(ref rd, (nuint)j);
                (Vector.LoadUnsafe(ref rd, (nuint)(j + Vector<double>.Count)) + hi * wv)
                    .StoreUnsafe(ref rd, (nuint)(j + Vector<double>.Count));
            }
        }
        for (; j < dims; j++) Unsafe.Add(ref rd, j) += Unsafe.Add(ref rs, j) * weight;
    }
}
