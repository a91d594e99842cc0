using Segmenter.Engine.Clustering;

namespace Segmenter.Engine.Steering;

/// <summary>
/// Re-clusters per-pixel codes so that the strokes are honoured, for the page's strokes and the API's
/// <c>scribbles</c> alike. Every used brush is one cluster (brush b, in ascending order of the used brushes, is
/// cluster b), represented by up to <see cref="MaxPrototypes"/> codes sampled evenly from its strokes; any further
/// clusters (up to the asked k) are free centres drawn k-means++-style from the unstroked codes and moved by Lloyd
/// iterations. A stroked pixel is pinned to its brush's cluster; an unstroked one goes to the nearest prototype or
/// free centre. So every stroke ends in its own brush's segment, two brushes never share one, and the clusters
/// the user did not stroke stay unsupervised.
/// </summary>
/// <remarks>
/// It is the union of two simpler methods, each of which fails alone (the <c>steer</c> bench compares them):
/// <list type="bullet">
/// <item>one centre per brush (the stroke mean, then Lloyd) loses a brush whose strokes cross two colours: the mean lies
/// between them, Lloyd drifts it to one colour and the region splits by colour again;</item>
/// <item>a nearest-prototype classifier alone keeps every colour a stroke crosses but gives one segment per brush, so the
/// unstroked parts of the image lose their own clusters.</item>
/// </list>
/// The prototypes never move, so each pixel's nearest prototype is found once (pixels × prototypes × dims); the Lloyd iterations only compare against the few free centres.
/// </remarks>
public static class ScribbleClustering
{
    public const int MaxPrototypes = 256;

    /// <param name="clusters">Clusters wanted; raised to the number of used brushes when below it.</param>
    public static SteeredClusters Recluster(float[] codes, int dims, Scribbles scribbles, int clusters, int seed,
        int maxIterations = 25, CancellationToken cancellationToken = default)
    {
        int n = scribbles.BrushOfPixel.Length;
        CodeShape.Require(codes, dims, n);
        var brushes = scribbles.Brushes();
        if (brushes.Length == 0) throw new ArgumentException("Paint at least one stroke before re-clustering with strokes.");
        int b = brushes.Length, k = Math.Max(clusters, b);
        var pinned = scribbles.BrushIndexOfPixel();

        var (prototypes, owner) = Prototypes(codes, dims, pinned, b);
        // Each unstroked pixel's nearest prototype: its brush cluster and squared distance, fixed from here on.
        var brushOf = new int[n];
        var brushDistance = new float[n];
        var parts = new RowPartitions(n);
        Parallel.For(0, parts.Count, new ParallelOptions { CancellationToken = cancellationToken }, p =>
        {
            var (start, end) = parts.Range(p);
            for (int i = start; i < end; i++)
                brushOf[i] = pinned[i] >= 0 ? pinned[i] : owner[DistanceKernels.Nearest(codes, i * dims, prototypes, owner.Length, dims, out brushDistance[i])];
        });

        var labels = (int[])brushOf.Clone();
        int free = k - b;
        if (free > 0)
        {
            var centres = SeedFreeCentres(codes, dims, pinned, brushDistance, free, seed);
            for (int iteration = 0; iteration < maxIterations; iteration++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Stop once fewer than 1 pixel in 10,000 moves: the last iterations only shuffle boundary pixels.
                if (Assign(codes, dims, pinned, brushOf, brushDistance, centres, b, labels) <= n / 10_000 && iteration > 0) break;
                var means = SteeredClusters.MeanCodes(codes, dims, labels, k);
                var sizes = new long[k];
                foreach (int l in labels) sizes[l]++;
                // A free cluster that lost all its pixels keeps its old centre rather than collapsing to zero.
                for (int c = 0; c < free; c++)
                    if (sizes[b + c] > 0) Array.Copy(means, (b + c) * dims, centres, c * dims, dims);
            }
        }
        return SteeredClusters.FromLabels(codes, dims, labels, k);
    }

    /// <summary>Up to <see cref="MaxPrototypes"/> stroked codes, shared evenly among the brushes and spread evenly over each brush's strokes.</summary>
    private static (float[] Prototypes, int[] Owner) Prototypes(float[] codes, int dims, int[] pinned, int brushCount)
    {
        var strokedBy = new List<int>[brushCount];
        for (int c = 0; c < brushCount; c++) strokedBy[c] = [];
        for (int i = 0; i < pinned.Length; i++)
            if (pinned[i] >= 0) strokedBy[pinned[i]].Add(i);
        int perBrush = Math.Max(1, MaxPrototypes / brushCount);
        var prototypes = new List<float>();
        var owner = new List<int>();
        for (int c = 0; c < brushCount; c++)
        {
            var stroked = strokedBy[c];
            int take = Math.Min(perBrush, stroked.Count);
            for (int s = 0; s < take; s++)
            {
                int pixel = stroked[(int)((long)s * stroked.Count / take)];
                prototypes.AddRange(codes.AsSpan(pixel * dims, dims));
                owner.Add(c);
            }
        }
        return (prototypes.ToArray(), owner.ToArray());
    }

    /// <summary>
    /// Stroked pixels keep their brush; an unstroked one takes the nearest free centre when it is nearer than its
    /// nearest prototype, else that prototype's brush. Returns how many labels changed.
    /// </summary>
    private static long Assign(float[] codes, int dims, int[] pinned, int[] brushOf, float[] brushDistance, float[] centres,
        int brushCount, int[] labels)
    {
        int free = centres.Length / dims;
        var parts = new RowPartitions(pinned.Length);
        var changed = new long[parts.Count];
        Parallel.For(0, parts.Count, p =>
        {
            var (start, end) = parts.Range(p);
            for (int i = start; i < end; i++)
            {
                int l = brushOf[i];
                if (pinned[i] < 0)
                {
                    int f = DistanceKernels.Nearest(codes, i * dims, centres, free, dims, out float d2);
                    if (d2 < brushDistance[i]) l = brushCount + f;
                }
                if (labels[i] != l) { labels[i] = l; changed[p]++; }
            }
        });
        return changed.Sum();
    }

    /// <summary>k-means++ draws among the unstroked codes, D² to the nearest prototype or centre chosen so far.</summary>
    private static float[] SeedFreeCentres(float[] codes, int dims, int[] pinned, float[] brushDistance, int count, int seed)
    {
        var centres = new float[count * dims];
        var unstroked = Enumerable.Range(0, pinned.Length).Where(i => pinned[i] < 0).ToArray();
        if (unstroked.Length == 0) return centres; // nothing to draw from: the free clusters stay empty
        var nearest = unstroked.Select(i => (double)brushDistance[i]).ToArray();
        var rng = new Random(seed);
        for (int c = 0; c < count; c++)
        {
            double target = rng.NextDouble() * nearest.Sum();
            int pick = unstroked.Length - 1;
            for (int f = 0; f < unstroked.Length; f++)
                if ((target -= nearest[f]) < 0) { pick = f; break; }
            Array.Copy(codes, unstroked[pick] * dims, centres, c * dims, dims);
            for (int f = 0; f < unstroked.Length; f++)
                nearest[f] = Math.Min(nearest[f], DistanceKernels.SquaredDistance(codes, unstroked[f] * dims, centres, c * dims, dims));
        }
        return centres;
    }
}
