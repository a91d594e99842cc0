using System.Runtime.CompilerServices;

namespace Segmenter.Engine.Regions;

/// <summary>
/// Felzenszwalb and Huttenlocher's graph-based over-segmentation (2004) on a feature image, hand-written because the
/// engine's libraries (TorchSharp, ImageSharp) have none and the learned codes are not an image any library would take:
/// pixels are nodes, each 4-neighbour pair an edge weighted by the Euclidean distance of their features; edges are taken
/// in ascending order and join two components when the weight is at most both components' internal difference plus
/// scale / size. Components smaller than a minimum size then join their nearest neighbour along the cheapest edge.
/// Every component is 4-connected (it grows only along 4-neighbour edges).
/// </summary>
internal static class Oversegmentation
{
    /// <summary>Each pixel's component, numbered 0… in the order of each component's first pixel (row-major), and the count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int[] Labels, int Count) Segment(float[] features, int dims, int width, int height, double scale, int minSize,
        CancellationToken ct = default)
    {
        int n = width * height;
        long edgeCount = (long)(width - 1) * height + (long)width * (height - 1);
        var weights = new float[edgeCount];
        var from = new int[edgeCount];
        var to = new int[edgeCount];
        // Right neighbours first, then down: a fixed order, so equal weights sort the same way every time.
        int e = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x + 1 < width; x++) { int i = y * width + x; from[e] = i; to[e] = i + 1; e++; }
        for (int y = 0; y + 1 < height; y++)
            for (int x = 0; x < width; x++) { int i = y * width + x; from[e] = i; to[e] = i + width; e++; }
        Parallel.For(0, (int)((edgeCount + 4095) / 4096), block =>
        {
            int end = (int)Math.Min(edgeCount, (block + 1) * 4096L);
            for (int k = block * 4096; k < end; k++)
            {
                var a = features.AsSpan(from[k] * dims, dims);
                var b = features.AsSpan(to[k] * dims, dims);
                float d = 0;
                for (int j = 0; j < dims; j++) { float t = a[j] - b[j]; d += t * t; }
                weights[k] = MathF.Sqrt(d);
            }
        });
        ct.ThrowIfCancellationRequested();
        var order = new int[edgeCount];
        for (int k = 0; k < order.Length; k++) order[k] = k;
        var keys = (float[])weights.Clone();
        Array.Sort(keys, order);

        var sets = new DisjointSets(n);
        var threshold = new float[n];
        Array.Fill(threshold, (float)scale);
        foreach (int k in order)
        {
            int a = sets.Find(from[k]), b = sets.Find(to[k]);
            if (a == b) continue;
            float w = weights[k];
            if (w > threshold[a] || w > threshold[b]) continue;
            int root = sets.Union(a, b);
            threshold[root] = w + (float)(scale / sets.Size(root));
        }
        if (minSize > 1)
            foreach (int k in order)
            {
                int a = sets.Find(from[k]), b = sets.Find(to[k]);
                if (a != b && (sets.Size(a) < minSize || sets.Size(b) < minSize)) sets.Union(a, b);
            }
        return sets.Number();
    }
}

/// <summary>Union–find with union by size and path halving.</summary>
internal sealed class DisjointSets
{
    private readonly int[] parent, size;

    public DisjointSets(int count)
    {
        parent = new int[count];
        size = new int[count];
        for (int i = 0; i < count; i++) { parent[i] = i; size[i] = 1; }
    }

    public int Find(int i)
    {
        while (parent[i] != i) { parent[i] = parent[parent[i]]; i = parent[i]; }
        return i;
    }

    public int Size(int root) => size[root];

    /// <summary>Joins the sets of two roots; returns the new root.</summary>
    public int Union(int a, int b)
    {
        if (size[a] < size[b]) (a, b) = (b, a);
        parent[b] = a;
        size[a] += size[b];
        return a;
    }

    /// <summary>Each element's set, numbered 0… in the order of each set's first element, and the number of sets.</summary>
    public (int[] Labels, int Count) Number()
    {
        var labels = new int[parent.Length];
        var numberOf = new int[parent.Length];
        Array.Fill(numberOf, -1);
        int count = 0;
        for (int i = 0; i < parent.Length; i++)
        {
            int r = Find(i);
            if (numberOf[r] < 0) numberOf[r] = count++;
            labels[i] = numberOf[r];
        }
        return (labels, count);
    }
}
