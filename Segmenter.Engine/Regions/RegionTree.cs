using System.Runtime.CompilerServices;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Regions;

/// <summary>
/// A run's regions as a hierarchy: the leaves are a Felzenszwalb–Huttenlocher over-segmentation of the clustered
/// features (<see cref="Oversegmentation"/>), and the nodes above them record, one by one, the greedy merges of adjacent
/// regions by Ward's criterion (n_a·n_b/(n_a+n_b)·|mean_a − mean_b|², the rise in within-region variance) on each
/// region's mean descriptor (<see cref="RegionDescriptors"/>: the learned codes beside colour and colour spread). Built
/// once per trained model, it is cut at any count from 2 to <see cref="MaxCount"/> with no training and no k-means:
/// the first leaves − count merges give count connected regions. Hand-written: agglomerative merging restricted to a
/// region adjacency graph is in none of the engine's libraries.
/// </summary>
public sealed class RegionTree
{
    private readonly int[] leafOfPixel;
    private readonly (int A, int B)[] merges; // leaf representatives of the two regions each merge joins, in merge order

    private RegionTree(int width, int height, int[] leafOfPixel, int leaves, (int, int)[] merges)
    {
        Width = width; Height = height; this.leafOfPixel = leafOfPixel; Leaves = leaves; this.merges = merges;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Regions of the over-segmentation: the tree's leaves.</summary>
    public int Leaves { get; }

    /// <summary>The largest count the tree can be cut at: its leaves, at most <see cref="SegmentationParameters.MaxClusters"/> (a label is a byte).</summary>
    public int MaxCount => Math.Min(Leaves, SegmentationParameters.MaxClusters);

    /// <summary>
    /// The over-segmentation's scale on <see cref="RegionDescriptors.Edges"/> and its smallest leaf as a share of the
    /// image: about 500 leaves on a 481×321 photo. A merge's Ward cost is multiplied by its border's mean strength
    /// (the mean distance between the pixel pairs across it, over the image's mean neighbour distance) to this power:
    /// regions a weak border separates merge first. Chosen on BSDS500 train + val photos (docs/regions.md).
    /// </summary>
    internal const double Scale = 1, MinSizeShare = 1.0 / 2000, BorderPower = 1;

    /// <summary>
    /// The tree of a working image's clustered features (<paramref name="features"/>: one row of <paramref name="dims"/> per
    /// pixel, row-major, the code its first <paramref name="codeDims"/> numbers). When the over-segmentation has fewer leaves than <paramref name="atLeast"/>, it is made finer
    /// (a quarter of the scale, no minimum size) until it has them or every pixel is its own leaf.
    /// </summary>
    public static RegionTree Build(RgbImage image, float[] features, int dims, int codeDims, int atLeast, CancellationToken ct = default)
    {
        int w = image.Width, h = image.Height;
        int minSize = Math.Max(1, (int)(image.PixelCount * MinSizeShare));
        var descriptors = RegionDescriptors.Of(image, features, dims, codeDims);
        var (edgeFeatures, edgeDims) = (descriptors.Edges, descriptors.EdgeDims);
        double scale = Scale;
        var (leafOf, leaves) = Oversegmentation.Segment(edgeFeatures, edgeDims, w, h, scale, minSize, ct);
        while (leaves < atLeast && (scale > 0 || minSize > 1))
        {
            scale = scale > 1e-6 ? scale / 4 : 0;
            minSize = 1;
            (leafOf, leaves) = Oversegmentation.Segment(edgeFeatures, edgeDims, w, h, scale, minSize, ct);
        }
        ct.ThrowIfCancellationRequested();
        return new RegionTree(w, h, leafOf, leaves, Merge(descriptors, edgeFeatures, edgeDims, leafOf, leaves, w, h));
    }

    /// <summary>
    /// The labels of the cut at <paramref name="count"/> regions: each pixel's region, numbered 0… in the order of each
    /// region's first pixel (row-major). Every region is 4-connected.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public byte[] Cut(int count)
    {
        if (count < SegmentationParameters.MinClusters || count > MaxCount)
            throw new ArgumentException(count > Leaves
                ? $"The image's over-segmentation has {Leaves} regions, fewer than the {count} asked for; ask for at most {Leaves}."
                : $"The regions can be cut at {SegmentationParameters.MinClusters} to {MaxCount}; got {count}.");
        var sets = new DisjointSets(Leaves);
        for (int m = 0; m < Leaves - count; m++) sets.Union(sets.Find(merges[m].A), sets.Find(merges[m].B));
        var (regionOfLeaf, _) = RegionsInPixelOrder(sets);
        var labels = new byte[leafOfPixel.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = (byte)regionOfLeaf[leafOfPixel[i]];
        return labels;
    }

    // Leaves are numbered in the order of their first pixel, so numbering each region by its lowest leaf numbers the
    // regions in the order of their first pixel too.
    private static (int[] RegionOfLeaf, int Count) RegionsInPixelOrder(DisjointSets sets) => sets.Number();

    /// <summary>Greedy Ward merging over the leaves' adjacency until one region is left; the merges in order.</summary>
    private static (int, int)[] Merge(RegionDescriptors d, float[] features, int featureDims, int[] leafOf, int leaves, int w, int h)
    {
        const int dims = RegionDescriptors.Dims;
        var sums = d.SumsPerLeaf(leafOf, leaves);
        var size = new double[leaves];
        foreach (int l in leafOf) size[l]++;
        // Per region, its neighbours and the summed feature distance across their shared border, with its length.
        var neighbours = new Dictionary<int, (double Sum, int Length)>[leaves];
        for (int l = 0; l < leaves; l++) neighbours[l] = [];
        double allEdges = 0;
        long edgeCount = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x, a = leafOf[i];
                if (x + 1 < w) Border(i, i + 1);
                if (y + 1 < h) Border(i, i + w);
            }
        double meanEdge = edgeCount > 0 && allEdges > 0 ? allEdges / edgeCount : 1;

        var version = new int[leaves];
        var alive = new bool[leaves];
        Array.Fill(alive, true);
        var queue = new PriorityQueue<(int A, int B, int VA, int VB), (double Cost, int A, int B)>();
        for (int a = 0; a < leaves; a++)
            foreach (int b in neighbours[a].Keys)
                if (a < b) queue.Enqueue((a, b, 0, 0), (Cost(a, b), a, b));
        var merges = new List<(int, int)>(leaves - 1);
        while (queue.TryDequeue(out var pair, out _))
        {
            var (a, b, va, vb) = pair;
            if (!alive[a] || !alive[b] || version[a] != va || version[b] != vb) continue;
            merges.Add((a, b));
            // b joins a (a < b): the merged region's representative never depends on the queue's ties.
            alive[b] = false;
            size[a] += size[b];
            for (int j = 0; j < dims; j++) sums[a * dims + j] += sums[b * dims + j];
            neighbours[a].Remove(b);
            foreach (var (n, border) in neighbours[b])
            {
                if (n == a) continue;
                var joined = neighbours[a].TryGetValue(n, out var old) ? (old.Sum + border.Sum, old.Length + border.Length) : border;
                neighbours[a][n] = joined;
                neighbours[n].Remove(b);
                neighbours[n][a] = joined;
            }
            neighbours[b].Clear();
            version[a]++;
            foreach (int n in neighbours[a].Keys)
            {
                var (x, y) = a < n ? (a, n) : (n, a);
                queue.Enqueue((x, y, version[x], version[y]), (Cost(x, y), x, y));
            }
        }
        return merges.ToArray();

        void Border(int i, int j)
        {
            double dist = 0;
            for (int t = 0; t < featureDims; t++)
            {
                double diff = features[(long)i * featureDims + t] - features[(long)j * featureDims + t];
                dist += diff * diff;
            }
            dist = Math.Sqrt(dist);
            allEdges += dist; edgeCount++;
            int a = leafOf[i], b = leafOf[j];
            if (a == b) return;
            var (sum, length) = neighbours[a].GetValueOrDefault(b);
            neighbours[a][b] = neighbours[b][a] = (sum + dist, length + 1);
        }

        double Cost(int a, int b)
        {
            double na = size[a], nb = size[b], s = 0;
            for (int j = 0; j < dims; j++)
            {
                double t = sums[a * dims + j] / na - sums[b * dims + j] / nb;
                s += t * t;
            }
            double ward = na * nb / (na + nb) * s;
            var (borderSum, borderLength) = neighbours[a][b];
            return ward * Math.Pow(borderSum / borderLength / meanEdge, BorderPower);
        }
    }
}
