using Segmenter.Engine.Clustering;

namespace Segmenter.Engine.Steering;

/// <summary>
/// A hand-steered clustering of per-pixel codes: a cluster index per pixel (0…<see cref="Count"/>−1) and the
/// centres in code space (Count × dims, row-major), each the mean code of its pixels. Immutable, so an edit
/// history can hold earlier states without copying them.
/// </summary>
public sealed class SteeredClusters
{
    public SteeredClusters(int[] labels, int count, float[] centres)
    {
        if (count < 1) throw new ArgumentException($"A clustering needs at least one cluster; got {count}.", nameof(count));
        if (centres.Length % count != 0)
            throw new ArgumentException("The centres are not a whole number of rows for the cluster count.", nameof(centres));
        Labels = labels; Count = count; Centres = centres;
    }

    public int[] Labels { get; }
    public int Count { get; }
    public float[] Centres { get; }

    /// <summary>Pixels per cluster.</summary>
    public long[] Sizes()
    {
        var sizes = new long[Count];
        foreach (int l in Labels) sizes[l]++;
        return sizes;
    }

    /// <summary>Labels and centres straight from per-pixel codes (n × dims) and a label per pixel.</summary>
    public static SteeredClusters FromLabels(float[] codes, int dims, int[] labels, int count) =>
        new(labels, count, MeanCodes(codes, dims, labels, count));

    /// <summary>The mean code of each cluster (count × dims); an empty cluster's centre stays at zero.</summary>
    internal static float[] MeanCodes(float[] codes, int dims, int[] labels, int count)
    {
        CodeShape.Require(codes, dims, labels.Length);
        var sums = new double[count * dims];
        var sizes = new long[count];
        for (int i = 0; i < labels.Length; i++)
        {
            int l = labels[i];
            if ((uint)l >= (uint)count)
                throw new ArgumentException($"Pixel {i} has cluster {l}, outside 0…{count - 1}.", nameof(labels));
            sizes[l]++;
            DistanceKernels.AddScaled(sums, l * dims, codes, i * dims, dims, 1.0);
        }
        var centres = new float[count * dims];
        for (int c = 0; c < count; c++)
            if (sizes[c] > 0)
                for (int d = 0; d < dims; d++) centres[c * dims + d] = (float)(sums[c * dims + d] / sizes[c]);
        return centres;
    }
}

/// <summary>The one check that per-pixel codes are n × dims.</summary>
internal static class CodeShape
{
    public static void Require(float[] codes, int dims, int pixels)
    {
        if (dims < 1) throw new ArgumentException($"Codes need at least one dimension; got {dims}.", nameof(dims));
        if ((long)pixels * dims != codes.Length)
            throw new ArgumentException($"Expected {pixels} codes of {dims} floats ({(long)pixels * dims}); got {codes.Length} floats.", nameof(codes));
    }
}
