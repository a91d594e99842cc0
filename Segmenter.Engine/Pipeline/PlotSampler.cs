using Segmenter.Engine.Imaging;
using Segmenter.Engine.Model;
using TorchSharp;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// Draws the points for the 3D plots: at most <see cref="MaxPoints"/> pixels, stratified by cluster, with their
/// colours and their codes projected on the codes' first 3 principal components.
/// </summary>
internal static class PlotSampler
{
    // A 3D plot's update is one main-thread task in the browser that grows with its points, and the page takes no input
    // meanwhile. 5,000 stratified points keep every cluster's cloud and its shape; denser clouds only block the page longer.
    public const int MaxPoints = 5_000;

    /// <summary>Clusters smaller than this share still get this many points (or all they have), so they stay visible.</summary>
    private const int MinPerCluster = 100;

    public static PlotSample Draw(AttentionAutoencoder model, ClusterFeatures features, CodeItems items, RgbImage image, byte[] labels,
        IReadOnlyList<ClusterSummary> clusters, float[] centres, int seed, CancellationToken ct)
        => Draw(pixels => features.Encode(items, model, pixels.Select(items.ItemOfPixel).ToArray(), ct), features.Dims, image, labels, clusters, centres, seed);

    /// <summary>The same points from codes already computed for every item (items.Count × dims): no encoding.</summary>
    public static PlotSample Draw(CodeItems items, float[] itemCodes, int dims, RgbImage image, byte[] labels,
        IReadOnlyList<ClusterSummary> clusters, float[] centres, int seed)
        => Draw(pixels => CodeRows.Gather(itemCodes, pixels.Select(items.ItemOfPixel).ToArray(), dims), dims, image, labels, clusters, centres, seed);

    /// <summary>The same points from codes already computed for every pixel (n × dims): no encoding.</summary>
    public static PlotSample Draw(float[] pixelCodes, int dims, RgbImage image, byte[] labels,
        IReadOnlyList<ClusterSummary> clusters, float[] centres, int seed)
        => Draw(pixels => CodeRows.Gather(pixelCodes, pixels, dims), dims, image, labels, clusters, centres, seed);

    /// <summary>
    /// The points drawn among the pixels k-means was fitted on, from their features (a streamed big image, whose
    /// other pixels' features are never held): no encoding. A cluster gets at most as many points as it has there.
    /// </summary>
    public static PlotSample DrawFromSample(int[] samplePixels, float[] sampleCodes, int dims, RgbImage image, byte[] labels,
        IReadOnlyList<ClusterSummary> clusters, float[] centres, int seed)
        => Draw(rows => CodeRows.Gather(sampleCodes, rows, dims), dims, image, labels, clusters, centres, seed, samplePixels);

    /// <param name="codesOf">The codes (rows of <paramref name="dims"/>) of the given candidates (pixels, or rows of <paramref name="candidates"/>), in order.</param>
    /// <param name="candidates">The pixels to draw from; null = every pixel.</param>
    private static PlotSample Draw(Func<int[], float[]> codesOf, int dims, RgbImage image, byte[] labels,
        IReadOnlyList<ClusterSummary> clusters, float[] centres, int seed, int[]? candidates = null)
    {
        int k = clusters.Count, count = candidates?.Length ?? labels.Length;
        int PixelOf(int j) => candidates is null ? j : candidates[j];
        var quota = Quotas(clusters);
        var remaining = clusters.Select(c => c.PixelCount).ToArray();
        if (candidates is not null)
        {
            Array.Clear(remaining);
            foreach (int p in candidates) remaining[labels[p]]++;
            for (int c = 0; c < k; c++) quota[c] = (int)Math.Min(quota[c], remaining[c]);
        }
        var chosen = new List<int>(quota.Sum());

        // Selection sampling (Knuth's algorithm S) per cluster in one pass: exactly quota[c] pixels, none stored beforehand.
        var rng = new Random(seed);
        var need = (int[])quota.Clone();
        for (int j = 0; j < count; j++)
        {
            int c = labels[PixelOf(j)];
            if (need[c] > 0 && rng.NextDouble() * remaining[c] < need[c]) { chosen.Add(j); need[c]--; }
            remaining[c]--;
        }

        int n = chosen.Count;
        var rgb = new byte[n * 3];
        var pointLabels = new byte[n];
        for (int j = 0; j < n; j++)
        {
            int i = PixelOf(chosen[j]);
            Array.Copy(image.Pixels, 3 * i, rgb, 3 * j, 3);
            pointLabels[j] = labels[i];
        }
        var codes = codesOf(chosen.ToArray());
        var (codes3, centres3) = ProjectOnPrincipalComponents(codes, centres, n, k, dims);
        return new PlotSample(n, rgb, pointLabels, codes3, centres3);
    }

    private static int[] Quotas(IReadOnlyList<ClusterSummary> clusters)
    {
        long total = clusters.Sum(c => c.PixelCount);
        var quota = clusters.Select(c => (int)Math.Min(c.PixelCount,
            Math.Max(MinPerCluster, Math.Round((double)MaxPoints * c.PixelCount / total)))).ToArray();
        // The minimum per cluster can push the sum over the cap; shrink the large clusters to make room.
        int over = quota.Sum() - MaxPoints;
        while (over > 0)
        {
            int largest = Array.IndexOf(quota, quota.Max());
            int cut = Math.Min(over, quota[largest] - MinPerCluster);
            if (cut <= 0) break;
            quota[largest] -= cut;
            over -= cut;
        }
        return quota;
    }

    /// <summary>PCA by SVD of the centred codes (TorchSharp does the linear algebra); centres use the same projection.</summary>
    private static (float[] Points, float[] Centres) ProjectOnPrincipalComponents(float[] codes, float[] centres, int n, int k, int dims)
    {
        if (n == 0) return ([], new float[k * 3]);
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(codes, [n, dims]);                       // (n, code)
        // A code of 2 or 3 numbers is already plottable: shown as it is (padded to 3 axes), not rotated by PCA.
        if (dims <= 3) return (Padded(x, dims), Padded(torch.tensor(centres, [k, dims]), dims));
        var mean = x.mean([0], keepdim: true);                       // (1, 32)
        var centred = x - mean;
        var (_, _, vh) = torch.linalg.svd(centred, fullMatrices: false); // vh: (min(n,32), 32)
        int comps = (int)Math.Min(3, vh.shape[0]);
        var basis = vh[..comps].T;                                   // (32, comps)
        var points = torch.matmul(centred, basis);                   // (n, comps)
        var c = torch.matmul(torch.tensor(centres, [k, dims]) - mean, basis); // (k, comps)
        if (comps < 3)
        {
            points = torch.nn.functional.pad(points, [0, 3 - comps]);
            c = torch.nn.functional.pad(c, [0, 3 - comps]);
        }
        return (points.contiguous().data<float>().ToArray(), c.contiguous().data<float>().ToArray());
    }

    private static float[] Padded(torch.Tensor rows, int dims) =>
        (dims < 3 ? torch.nn.functional.pad(rows, [0, 3 - dims]) : rows).contiguous().data<float>().ToArray();
}
