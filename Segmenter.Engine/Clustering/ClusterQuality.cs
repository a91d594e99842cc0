namespace Segmenter.Engine.Clustering;

/// <summary>Internal cluster-validity indices (as scikit-learn's metrics).</summary>
public static class ClusterQuality
{
    /// <summary>
    /// Mean silhouette coefficient over (a seeded sample of at most <paramref name="sampleSize"/>) points, as
    /// sklearn's <c>silhouette_score(X, labels, sample_size=..., random_state=...)</c>: both the intra-cluster
    /// distance a and the nearest-other-cluster distance b are measured within the sample; points alone in their
    /// cluster (within the sample) score 0. Euclidean distance.
    /// </summary>
    public static double Silhouette(float[] data, int dims, int[] labels, int sampleSize = 5000, int seed = 42)
    {
        int n = ValidateInputs(data, dims, labels);
        if (sampleSize < 2)
            throw new ArgumentException($"The silhouette sample size must be at least 2; got {sampleSize}.", nameof(sampleSize));
        CheckNumberOfLabels(new HashSet<int>(labels).Count, n, "");

        int[] idx;
        if (sampleSize >= n)
        {
            idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = i;
        }
        else
        {
            // Partial Fisher–Yates with a seeded generator: the first sampleSize entries of a random permutation.
            var perm = new int[n];
            for (int i = 0; i < n; i++) perm[i] = i;
            var rng = new Random(seed);
            for (int i = 0; i < sampleSize; i++)
            {
                int j = rng.Next(i, n);
                (perm[i], perm[j]) = (perm[j], perm[i]);
            }
            idx = perm[..sampleSize];
        }
        int m = idx.Length;

        // Dense cluster ids 0..L-1 for the sample.
        var map = new Dictionary<int, int>();
        var cl = new int[m];
        for (int i = 0; i < m; i++)
        {
            int lab = labels[idx[i]];
            if (!map.TryGetValue(lab, out int id)) { id = map.Count; map[lab] = id; }
            cl[i] = id;
        }
        int nLabels = map.Count;
        CheckNumberOfLabels(nLabels, m, m < n ? " in the silhouette sample" : "");
        var sizes = new int[nLabels];
        foreach (int c in cl) sizes[c]++;

        // Contiguous copy of the sample rows for cache-friendly pairwise distances.
        var x = new float[m * dims];
        for (int i = 0; i < m; i++) Array.Copy(data, idx[i] * dims, x, i * dims, dims);

        var s = new double[m];
        Parallel.For(0, m, () => new double[nLabels], (i, _, sumTo) =>
        {
            Array.Clear(sumTo);
            int oi = i * dims;
            for (int j = 0; j < m; j++)
                if (j != i) sumTo[cl[j]] += Math.Sqrt(DistanceKernels.SquaredDistance(x, oi, x, j * dims, dims));
            int own = cl[i];
            if (sizes[own] <= 1) { s[i] = 0; return sumTo; }
            double a = sumTo[own] / (sizes[own] - 1);
            double b = double.PositiveInfinity;
            for (int c = 0; c < nLabels; c++)
                if (c != own) b = Math.Min(b, sumTo[c] / sizes[c]);
            double denom = Math.Max(a, b);
            s[i] = denom > 0 ? (b - a) / denom : 0; // sklearn: nan_to_num(0/0) = 0
            return sumTo;
        }, _ => { });

        double total = 0;
        for (int i = 0; i < m; i++) total += s[i]; // fixed order → reproducible
        return total / m;
    }

    /// <summary>
    /// Davies–Bouldin index (lower is better), as sklearn's <c>davies_bouldin_score</c>: for each cluster the mean
    /// Euclidean distance of its points to its centroid (S), then the mean over clusters of
    /// max over other clusters of (S_i + S_j) / ‖c_i − c_j‖; pairs with coincident centroids are skipped, and the
    /// score is 0 when all S or all centroid distances are (close to) 0.
    /// </summary>
    public static double DaviesBouldin(float[] data, int dims, int[] labels)
    {
        int n = ValidateInputs(data, dims, labels);
        var map = new Dictionary<int, int>();
        var cl = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (!map.TryGetValue(labels[i], out int id)) { id = map.Count; map[labels[i]] = id; }
            cl[i] = id;
        }
        int L = map.Count;
        CheckNumberOfLabels(L, n, "");

        var parts = new RowPartitions(n);
        // Centroids (double), merged in partition order.
        var partSums = new double[parts.Count][];
        var partCounts = new long[parts.Count][];
        Parallel.For(0, parts.Count, p =>
        {
            var sums = new double[L * dims];
            var counts = new long[L];
            var (start, end) = parts.Range(p);
            for (int i = start; i < end; i++)
            {
                int c = cl[i], o = i * dims, co = c * dims;
                counts[c]++;
                for (int j = 0; j < dims; j++) sums[co + j] += data[o + j];
            }
            partSums[p] = sums; partCounts[p] = counts;
        });
        var centroids = new double[L * dims];
        var sizes = new long[L];
        for (int p = 0; p < parts.Count; p++)
        {
            for (int j = 0; j < centroids.Length; j++) centroids[j] += partSums[p][j];
            for (int c = 0; c < L; c++) sizes[c] += partCounts[p][c];
        }
        for (int c = 0; c < L; c++)
            for (int j = 0; j < dims; j++) centroids[c * dims + j] /= sizes[c];

        // Mean distance to own centroid.
        var partIntra = new double[parts.Count][];
        Parallel.For(0, parts.Count, p =>
        {
            var intra = new double[L];
            var (start, end) = parts.Range(p);
            for (int i = start; i < end; i++)
            {
                int c = cl[i], o = i * dims, co = c * dims;
                double d2 = 0;
                for (int j = 0; j < dims; j++) { double d = data[o + j] - centroids[co + j]; d2 += d * d; }
                intra[c] += Math.Sqrt(d2);
            }
            partIntra[p] = intra;
        });
        var s = new double[L];
        for (int p = 0; p < parts.Count; p++)
            for (int c = 0; c < L; c++) s[c] += partIntra[p][c];
        for (int c = 0; c < L; c++) s[c] /= sizes[c];

        var cd = new double[L, L];
        bool allCentroidsClose = true;
        for (int a = 0; a < L; a++)
            for (int b = 0; b < L; b++)
            {
                double d2 = 0;
                for (int j = 0; j < dims; j++) { double d = centroids[a * dims + j] - centroids[b * dims + j]; d2 += d * d; }
                cd[a, b] = Math.Sqrt(d2);
                allCentroidsClose &= cd[a, b] <= 1e-8; // np.allclose(x, 0): |x| <= atol
            }
        bool allIntraClose = s.All(v => Math.Abs(v) <= 1e-8);
        if (allIntraClose || allCentroidsClose) return 0.0;

        double total = 0;
        for (int a = 0; a < L; a++)
        {
            double worst = 0;
            for (int b = 0; b < L; b++)
            {
                if (b == a || cd[a, b] == 0) continue; // sklearn sets zero centroid distances to +inf
                worst = Math.Max(worst, (s[a] + s[b]) / cd[a, b]);
            }
            total += worst;
        }
        return total / L;
    }

    private static int ValidateInputs(float[] data, int dims, int[] labels)
    {
        int n = KMeans.ValidateData(data, dims, nameof(data));
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != n)
            throw new ArgumentException($"There are {labels.Length} labels for {n} points; give exactly one label per point.", nameof(labels));
        return n;
    }

    /// <summary>As sklearn's <c>check_number_of_labels</c>: valid counts are 2 to n − 1.</summary>
    private static void CheckNumberOfLabels(int nLabels, int n, string where)
    {
        if (nLabels < 2 || nLabels > n - 1)
            throw new ArgumentException(
                $"There are {nLabels} distinct labels for {n} points{where}; the score needs between 2 and {n - 1} (n − 1).",
                "labels");
    }
}
