using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Segmenter.Engine.Clustering;

/// <summary>How the centres of each k-means restart are chosen before Lloyd's iterations.</summary>
public enum KMeansInit
{
    /// <summary>Greedy k-means++ (scikit-learn's default): spread-out centres, fewer iterations, better optima.</summary>
    KMeansPlusPlus,

    /// <summary>k distinct points drawn with probability ∝ weight (scikit-learn's <c>init="random"</c>).</summary>
    Random,
}

/// <summary>The two initialisations, as scikit-learn's <c>_kmeans_plusplus</c> and <c>init="random"</c>.</summary>
internal static class KMeansInitialisation
{
    /// <summary>
    /// Greedy k-means++ as sklearn's <c>_kmeans_plusplus</c>: the first centre is drawn with probability ∝ weight;
    /// each further centre takes 2 + ⌊ln k⌋ candidates drawn ∝ weight·D², keeping the one with the lowest potential.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] PlusPlus(float[] data, int n, int dims, float[] w, int k, Random rng,
        RowPartitions parts, KMeansWorkspace ws)
    {
        var centers = new float[k * dims];
        int trials = 2 + (int)Math.Log(k);
        var cum = ws.Cumulative;

        double run = 0;
        for (int i = 0; i < n; i++) { run += w[i]; cum[i] = run; }
        int first = WeightedSampler.SearchRight(cum, rng.NextDouble() * run);
        Array.Copy(data, first * dims, centers, 0, dims);

        var closest = ws.Closest;
        Parallel.For(0, parts.Count, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (p) =>
        {
            var (start, end) = parts.Range(p);
            for (int i = start; i < end; i++) closest[i] = DistanceKernels.SquaredDistance(data, i * dims, data, first * dims, dims);
        });

        var trialDist = ws.TrialDist;
        var candidates = new int[trials];
        var pots = new double[trials];
        var partPots = new double[parts.Count * trials];

        for (int c = 1; c < k; c++)
        {
            run = 0;
            for (int i = 0; i < n; i++) { run += (double)w[i] * closest[i]; cum[i] = run; }
            for (int t = 0; t < trials; t++) candidates[t] = WeightedSampler.SearchRight(cum, rng.NextDouble() * run);

            Array.Clear(partPots);
            Parallel.For(0, parts.Count, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (p) =>
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
                        DistanceKernels.SquaredDistances4(ref Unsafe.Add(ref d0, i * dims), ref Unsafe.Add(ref d0, o0),
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
    /// k distinct rows drawn without replacement with probability ∝ weight, as scikit-learn's
    /// <c>random_state.choice(n, k, replace=False, p=w / w.sum())</c>: each draw removes the row's weight.
    /// </summary>
    public static float[] Random(float[] data, int n, int dims, float[] w, int k, Random rng, KMeansWorkspace ws)
    {
        var remaining = (float[])w.Clone();
        int positive = remaining.Count(v => v > 0);
        if (positive < k)
            throw new ArgumentException($"Random initialisation needs at least {k} points with a positive weight; there are {positive}.");
        var centers = new float[k * dims];
        for (int c = 0; c < k; c++)
        {
            double total = WeightedSampler.Accumulate(remaining, ws.Cumulative);
            int row = WeightedSampler.Draw(ws.Cumulative, total, rng);
            remaining[row] = 0;
            Array.Copy(data, row * dims, centers, c * dims, dims);
        }
        return centers;
    }
}
