using Segmenter.Engine.Clustering;
using TorchSharp;
using static TorchSharp.torch;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// The distance the texture block is clustered by: a linear map of the standardised texture numbers that whitens the
/// spread within the image's textures, learnt by alternating k-means and discriminant analysis (Ding &amp; Li, "Adaptive
/// dimension reduction using discriminant analysis and K-means clustering", ICML 2007).
/// <para>
/// Why: a photographed texture drifts across the picture (its scale with the distance, its contrast with the light), and
/// under a plain Euclidean distance on standardised numbers that drift can outweigh the difference between two
/// textures: k-means then halves one texture and merges the other half with its neighbour (grass split in two, one half
/// with the gravel). Many of the 35 numbers drift together (the energies of neighbouring wavelengths, the histogram's
/// bins), so the drift is a few directions of the block; whitening by the spread within clusters shrinks those
/// directions and stretches the ones that separate textures. The within-cluster spread needs clusters, and better
/// clusters need the whitened distance: k-means, then the map from its clusters, then k-means again in the mapped
/// space, a fixed number of rounds.
/// </para>
/// <para>
/// Hand-written because it is two small loops around the engine's k-means (<see cref="KMeans"/>) and TorchSharp's
/// symmetric eigendecomposition; no .NET library offers the alternation.
/// </para>
/// </summary>
internal static class TextureMetric
{
    /// <summary>Rounds of whitening and re-clustering after the first k-means.</summary>
    public const int Rounds = 5;

    /// <summary>Restarts of each round's k-means.</summary>
    public const int Restarts = 4;

    /// <summary>Rows the map is learnt on at most (every j-th row of a larger sample): the metric needs shapes, not every pixel.</summary>
    public const int MaxRows = 30_000;

    /// <summary>
    /// Eigenvalues of the within-cluster covariance are taken as at least this share of the largest: a direction in which
    /// every cluster is nearly flat (two histogram bins that always sum alike) is not stretched without bound.
    /// </summary>
    public const double EigenvalueFloor = 1e-2;

    /// <summary>
    /// The d × d map (row-major; a row vector x maps to x · M) for <paramref name="n"/> rows of d standardised numbers,
    /// scaled so the mapped rows have a total variance of 1; null when there is nothing to separate (fewer than two
    /// clusters or rows).
    /// </summary>
    public static float[]? Learn(float[] rows, int n, int d, float[]? weights, int clusters, int seed, CancellationToken ct = default)
    {
        if (clusters < 2 || n < 2 * clusters) return null;
        // A regular subsample of at most MaxRows rows (every step-th), with its weights.
        int step = (n + MaxRows - 1) / MaxRows, m = (n + step - 1) / step;
        var x = new float[(long)m * d];
        var w = new float[m];
        for (int i = 0; i < m; i++)
        {
            Array.Copy(rows, (long)i * step * d, x, (long)i * d, d);
            w[i] = weights?[i * step] ?? 1;
        }
        var labels = new KMeans(clusters, Restarts, seed: seed).Fit(x, d, w, ct).Labels;
        double[] map = [];
        var mapped = new float[x.Length];
        for (int round = 0; round < Rounds; round++)
        {
            ct.ThrowIfCancellationRequested();
            map = Whitening(WithinCovariance(x, w, labels, m, d, clusters), d);
            Multiply(x, map, mapped, m, d);
            labels = new KMeans(clusters, Restarts, seed: seed).Fit(mapped, d, w, ct).Labels;
        }
        // The mapped rows' total variance to 1, so the block's weight is set by the caller alone.
        double total = TotalVariance(mapped, w, m, d);
        double gain = total > 1e-12 ? 1 / Math.Sqrt(total) : 0;
        return map.Select(v => (float)(v * gain)).ToArray();
    }

    /// <summary>Σ over rows of w · (x − its cluster's mean)(x − its cluster's mean)ᵀ / Σ w, d × d.</summary>
    private static double[] WithinCovariance(float[] x, float[] w, int[] labels, int m, int d, int k)
    {
        var sums = new double[k * d];
        var totals = new double[k];
        for (int i = 0; i < m; i++)
        {
            totals[labels[i]] += w[i];
            for (int j = 0; j < d; j++) sums[labels[i] * d + j] += w[i] * x[(long)i * d + j];
        }
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++) sums[c * d + j] /= Math.Max(totals[c], 1e-12);
        var cov = new double[d * d];
        var diff = new double[d];
        double weight = 0;
        for (int i = 0; i < m; i++)
        {
            int c = labels[i];
            for (int j = 0; j < d; j++) diff[j] = x[(long)i * d + j] - sums[c * d + j];
            for (int a = 0; a < d; a++)
                for (int b = a; b < d; b++) cov[a * d + b] += w[i] * diff[a] * diff[b];
            weight += w[i];
        }
        for (int a = 0; a < d; a++)
            for (int b = a; b < d; b++) cov[b * d + a] = cov[a * d + b] /= weight;
        return cov;
    }

    /// <summary>V · diag(1 / √max(λ, floor · λmax)) of the covariance's eigendecomposition, d × d row-major.</summary>
    private static double[] Whitening(double[] covariance, int d)
    {
        using var scope = NewDisposeScope();
        var (values, vectors) = linalg.eigh(tensor(covariance, [d, d]));
        var floored = values.clamp_min(EigenvalueFloor * Math.Max(values.max().item<double>(), 1e-12));
        return (vectors / floored.sqrt().unsqueeze(0)).contiguous().data<double>().ToArray();
    }

    private static void Multiply(float[] x, double[] map, float[] to, int m, int d)
    {
        Parallel.For(0, m, i =>
        {
            long o = (long)i * d;
            for (int b = 0; b < d; b++)
            {
                double s = 0;
                for (int a = 0; a < d; a++) s += x[o + a] * map[a * d + b];
                to[o + b] = (float)s;
            }
        });
    }

    private static double TotalVariance(float[] x, float[] w, int m, int d)
    {
        double weight = w.Sum(v => (double)v), total = 0;
        for (int j = 0; j < d; j++)
        {
            double mean = 0, square = 0;
            for (int i = 0; i < m; i++) { double v = x[(long)i * d + j]; mean += w[i] * v; square += w[i] * v * v; }
            mean /= weight;
            total += square / weight - mean * mean;
        }
        return total;
    }
}
