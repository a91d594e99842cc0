using Segmenter.Engine.Clustering;

namespace Segmenter.Engine.Steering;

/// <summary>
/// Re-clusters per-pixel codes so that the strokes are honoured: each used brush seeds one centre (the mean code
/// of its strokes), any further centres are drawn k-means++-style from the unstroked codes, and Lloyd iterations
/// run with every stroked pixel pinned to its brush's cluster. So every stroke ends in its own brush's segment and
/// two brushes never share one; the unstroked pixels go to the nearest centre. Brush b (in ascending order of the
/// used brushes) becomes cluster b's index among them; extra clusters follow.
/// </summary>
/// <remarks>
/// Chosen over a classifier trained on the stroked codes because it needs no training loop (well under a second
/// on 512² codes), it is deterministic for a seed, and it keeps the unsupervised clusters the user did not stroke.
/// </remarks>
public static class ScribbleClustering
{
    public static SteeredClusters Recluster(float[] codes, int dims, Scribbles scribbles, int clusters, int seed,
        int maxIterations = 25, CancellationToken cancellationToken = default)
    {
        int n = scribbles.BrushOfPixel.Length;
        CodeShape.Require(codes, dims, n);
        var brushes = scribbles.Brushes();
        if (brushes.Length == 0) throw new ArgumentException("Paint at least one stroke before re-clustering with strokes.");
        int k = Math.Max(clusters, brushes.Length);
        var clusterOfBrush = new int[Scribbles.MaxBrushes + 1];
        Array.Fill(clusterOfBrush, -1);
        for (int b = 0; b < brushes.Length; b++) clusterOfBrush[brushes[b]] = b;
        var pinned = new int[n];
        for (int i = 0; i < n; i++) pinned[i] = scribbles.BrushOfPixel[i] == 0 ? -1 : clusterOfBrush[scribbles.BrushOfPixel[i]];

        var centres = SeedCentres(codes, dims, pinned, brushes.Length, k, seed);
        var labels = new int[n];
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Stop once fewer than 1 pixel in 10,000 moves: the last iterations only shuffle boundary pixels.
            if (Assign(codes, dims, pinned, centres, k, labels) <= n / 10_000 && iteration > 0) break;
            var means = SteeredClusters.MeanCodes(codes, dims, labels, k);
            var sizes = new long[k];
            foreach (int l in labels) sizes[l]++;
            // An extra cluster that lost all its pixels keeps its old centre rather than collapsing to zero.
            for (int c = 0; c < k; c++)
                if (sizes[c] > 0) Array.Copy(means, c * dims, centres, c * dims, dims);
        }
        return new SteeredClusters(labels, k, centres);
    }

    /// <summary>Assigns unstroked pixels to their nearest centre, stroked ones to their brush; returns how many labels changed.</summary>
    private static long Assign(float[] codes, int dims, int[] pinned, float[] centres, int k, int[] labels)
    {
        var parts = new RowPartitions(pinned.Length);
        var changed = new long[parts.Count];
        Parallel.For(0, parts.Count, p =>
        {
            var (start, end) = parts.Range(p);
            for (int i = start; i < end; i++)
            {
                int l = pinned[i] >= 0 ? pinned[i] : DistanceKernels.Nearest(codes, i * dims, centres, k, dims, out _);
                if (labels[i] != l) { labels[i] = l; changed[p]++; }
            }
        });
        return changed.Sum();
    }

    /// <summary>Brush means first, then k-means++ draws (D² to the nearest chosen centre) among the unstroked codes.</summary>
    private static float[] SeedCentres(float[] codes, int dims, int[] pinned, int brushCount, int k, int seed)
    {
        var sums = new double[brushCount * dims];
        var sizes = new long[brushCount];
        for (int i = 0; i < pinned.Length; i++)
            if (pinned[i] >= 0) { DistanceKernels.AddScaled(sums, pinned[i] * dims, codes, i * dims, dims, 1.0); sizes[pinned[i]]++; }
        var centres = new float[k * dims];
        for (int j = 0; j < sums.Length; j++) centres[j] = (float)(sums[j] / sizes[j / dims]);

        var free = Enumerable.Range(0, pinned.Length).Where(i => pinned[i] < 0).ToArray();
        if (brushCount == k || free.Length == 0) return centres; // nothing left to draw from: extra centres stay empty
        var nearest = new double[free.Length];
        for (int f = 0; f < free.Length; f++)
        {
            DistanceKernels.Nearest(codes, free[f] * dims, centres, brushCount, dims, out float d2);
            nearest[f] = d2;
        }
        var rng = new Random(seed);
        for (int c = brushCount; c < k; c++)
        {
            double target = rng.NextDouble() * nearest.Sum();
            int pick = free.Length - 1;
            for (int f = 0; f < free.Length; f++)
                if ((target -= nearest[f]) < 0) { pick = f; break; }
            Array.Copy(codes, free[pick] * dims, centres, c * dims, dims);
            for (int f = 0; f < free.Length; f++)
                nearest[f] = Math.Min(nearest[f], DistanceKernels.SquaredDistance(codes, free[f] * dims, centres, c * dims, dims));
        }
        return centres;
    }
}
