using Segmenter.Engine.Clustering;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Steering;

/// <summary>
/// Hand edits of a clustering that need no retraining: merge clusters into one, or split one with k-means on its
/// own codes. Every edit returns a new <see cref="SteeredClusters"/>; pixels outside the edited clusters keep
/// their cluster (merge only renumbers the clusters after a removed one, keeping their order).
/// </summary>
public static class ClusterEdits
{
    /// <summary>The most parts one split may make.</summary>
    public const int MaxSplitParts = 4;

    /// <summary>
    /// Joins <paramref name="clusters"/> into the lowest-numbered of them; the others disappear and the clusters
    /// after them move down. The joined centre is the mean code of all its pixels.
    /// </summary>
    public static SteeredClusters Merge(SteeredClusters current, float[] codes, int dims, IReadOnlyCollection<int> clusters)
    {
        CodeShape.Require(codes, dims, current.Labels.Length);
        var chosen = clusters.Distinct().Order().ToArray();
        if (chosen.Length < 2)
            throw new ArgumentException("Choose at least two clusters to merge.", nameof(clusters));
        if (chosen.Any(c => c < 0 || c >= current.Count))
            throw new ArgumentException($"Clusters to merge must lie in 0…{current.Count - 1}; got {string.Join(", ", chosen)}.", nameof(clusters));

        int into = chosen[0];
        var remap = new int[current.Count];
        for (int c = 0, next = 0; c < current.Count; c++)
            remap[c] = c != into && Array.BinarySearch(chosen, c) >= 0 ? -1 : next++;
        for (int c = 0; c < current.Count; c++)
            if (remap[c] < 0) remap[c] = remap[into];

        var labels = new int[current.Labels.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = remap[current.Labels[i]];
        int count = current.Count - chosen.Length + 1;
        return new SteeredClusters(labels, count, KeepCentres(current, remap, count, dims, codes, labels, remap[into]));
    }

    /// <summary>
    /// Splits <paramref name="cluster"/> into <paramref name="parts"/> (2…4) with seeded k-means on that cluster's
    /// codes alone: the first part keeps the cluster's number, the others are appended after the last cluster.
    /// </summary>
    public static SteeredClusters Split(SteeredClusters current, float[] codes, int dims, int cluster, int parts, int seed,
        int maxClusters = int.MaxValue)
    {
        CodeShape.Require(codes, dims, current.Labels.Length);
        if (cluster < 0 || cluster >= current.Count)
            throw new ArgumentException($"The cluster to split must lie in 0…{current.Count - 1}; got {cluster}.", nameof(cluster));
        if (parts < 2 || parts > MaxSplitParts)
            throw new ArgumentException($"A cluster splits into 2…{MaxSplitParts} parts; got {parts}.", nameof(parts));
        if (current.Count + parts - 1 > maxClusters)
            throw new ArgumentException($"Splitting into {parts} would make {current.Count + parts - 1} clusters, more than the {maxClusters} allowed.", nameof(parts));

        var members = new List<int>();
        for (int i = 0; i < current.Labels.Length; i++) if (current.Labels[i] == cluster) members.Add(i);
        var memberCodes = new float[members.Count * dims];
        for (int m = 0; m < members.Count; m++) Array.Copy(codes, members[m] * dims, memberCodes, m * dims, dims);
        var distinct = DistinctRows(memberCodes, dims, parts);
        if (distinct < parts)
            throw new ArgumentException($"Cluster {cluster} has only {distinct} distinct code(s); it cannot split into {parts}.", nameof(parts));

        var km = Clusterers.Quick(parts, seed).Fit(memberCodes, dims);
        var labels = (int[])current.Labels.Clone();
        for (int m = 0; m < members.Count; m++)
        {
            int part = km.Labels[m];
            labels[members[m]] = part == 0 ? cluster : current.Count + part - 1;
        }
        int count = current.Count + parts - 1;
        var centres = new float[count * dims];
        Array.Copy(current.Centres, centres, current.Centres.Length);
        for (int part = 0; part < parts; part++)
            Array.Copy(km.ClusterCenters, part * dims, centres, (part == 0 ? cluster : current.Count + part - 1) * dims, dims);
        return new SteeredClusters(labels, count, centres);
    }

    /// <summary>Old centres moved to their new numbers; the merged one recomputed from its pixels' codes.</summary>
    private static float[] KeepCentres(SteeredClusters current, int[] remap, int count, int dims, float[] codes, int[] labels, int merged)
    {
        var centres = new float[count * dims];
        for (int c = 0; c < current.Count; c++)
            if (remap[c] != merged) Array.Copy(current.Centres, c * dims, centres, remap[c] * dims, dims);
        var sum = new double[dims];
        long n = 0;
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] == merged) { DistanceKernels.AddScaled(sum, 0, codes, i * dims, dims, 1.0); n++; }
        for (int d = 0; d < dims; d++) centres[merged * dims + d] = n > 0 ? (float)(sum[d] / n) : 0f;
        return centres;
    }

    /// <summary>Distinct code rows, counted up to <paramref name="enough"/>.</summary>
    private static int DistinctRows(float[] rows, int dims, int enough)
    {
        var seen = new List<int>();
        for (int r = 0; r * dims < rows.Length && seen.Count < enough; r++)
            if (!seen.Any(s => rows.AsSpan(s * dims, dims).SequenceEqual(rows.AsSpan(r * dims, dims)))) seen.Add(r);
        return seen.Count;
    }
}
