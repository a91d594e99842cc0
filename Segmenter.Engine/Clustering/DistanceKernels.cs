using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Segmenter.Engine.Clustering;

/// <summary>
/// The inner loops of k-means and the cluster scores: squared Euclidean distances (one row to one, or to four at once),
/// the nearest centre, and weighted accumulation in double. Vectorised with <see cref="Vector{T}"/>; every multi-row
/// kernel is bit-identical to repeated single-row calls, so results never depend on which kernel ran.
/// </summary>
internal static class DistanceKernels
{
    /// <summary>Index of the nearest centre (lowest index on ties) and its squared distance.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Nearest(float[] data, int offset, float[] centers, int k, int dims, out float bestDist)
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
    internal static void SquaredDistances4(ref float x, ref float c0, ref float c1, ref float c2, ref float c3, int dims,
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
    internal static float SquaredDistance(ref float ra, ref float rb, int dims)
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
    internal static void AddSquaredDeviation(double[] acc, float[] src, int sOffset, double[] mean, int dims)
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
    internal static void AddScaled(double[] dst, int dOffset, float[] src, int sOffset, int dims, double weight)
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
