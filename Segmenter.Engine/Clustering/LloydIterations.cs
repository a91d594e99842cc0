using System.Runtime.CompilerServices;
namespace Segmenter.Engine.Clustering;

/// <summary>Lloyd's algorithm for one k-means restart: assign, relocate empty clusters, move the centres, until stable.</summary>
internal static class LloydIterations
{
    /// <summary>Lloyd iterations as sklearn's <c>_kmeans_single_lloyd</c>; fills <paramref name="labels"/>.</summary>
    public static (float[] Centers, double Inertia, int Iterations) Run(float[] data, int n, int dims, float[] w,
        float[] centers, int[] labels, double tolAbs, int maxIter, RowPartitions parts, KMeansWorkspace ws, CancellationToken ct)
    {
        int k = centers.Length / dims;
        var centersNew = new float[k * dims];
        var sums = new double[k * dims];
        var weightIn = new double[k];
        Array.Fill(labels, -1);
        bool strict = false;
        int it = 0;
        while (it < maxIter)
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
        RowPartitions parts, KMeansWorkspace ws, double[]? sums, double[]? weightIn, out double inertia)
    {
        bool accumulate = sums is not null;
        Parallel.For(0, parts.Count, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (p) =>
        {
            var (start, end) = parts.Range(p);
            double[] s = ws.Sums[p], wt = ws.Weights[p];
            if (accumulate) { Array.Clear(s); Array.Clear(wt); }
            double inert = 0;
            long changed = 0;
            for (int i = start; i < end; i++)
            {
                int o = i * dims;
                int label = DistanceKernels.Nearest(data, o, centers, k, dims, out float dist);
                float wi = w[i];
                inert += (double)wi * dist;
                if (labels[i] != label) { labels[i] = label; changed++; }
                if (accumulate && wi != 0)
                {
                    wt[label] += wi;
                    DistanceKernels.AddScaled(s, label * dims, data, o, dims, wi);
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
        RowPartitions parts, KMeansWorkspace ws)
    {
        Parallel.For(0, parts.Count, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (p) =>
        {
            var (start, end) = parts.Range(p);
            double inert = 0;
            for (int i = start; i < end; i++)
                inert += (double)w[i] * DistanceKernels.SquaredDistance(data, i * dims, centers, labels[i] * dims, dims);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
            float d = DistanceKernels.SquaredDistance(data, i * dims, centersOld, labels[i] * dims, dims);
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
}
