using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Model;

namespace Segmenter.Engine.Pipeline;

/// <summary>A run's cluster-validity scores on a sample of its codes (NaN when the sample holds a single cluster).</summary>
public sealed record RunQuality(double Silhouette, double DaviesBouldin, int SampleSize);

/// <summary>
/// Scores a finished run's clustering on its own trained codes, without training or re-fitting k-means: the
/// codes k-means was fitted on are sampled in proportion to their weights (so each pixel counts once) and each
/// sampled code gets the label its pixels carry in the result.
/// </summary>
public static class SegmentationQuality
{

    /// <param name="codes">The model the result was made from (its image maps codes to pixels, hence to labels).</param>
    internal static RunQuality Of(TrainedModel codes, SegmentationResult result, int sampleSize)
    {
        ArgumentNullException.ThrowIfNull(result);
        var image = codes.Image;
        if (result.CodeLabels.Length != image.PixelCount)
            throw new ArgumentException("Scoring needs the image the result was made from.");
        if (sampleSize < 2) throw new ArgumentException($"The sample must hold at least 2 codes; got {sampleSize}.", nameof(sampleSize));

        // Each item's label: every pixel of an item (a colour, or a pixel's window) carries the same label.
        var items = CodeItems.For(image, result.Parameters);
        var itemLabel = new int[items.Count];
        var codeLabels = result.CodeLabels;
        for (int i = 0; i < codeLabels.Length; i++) itemLabel[items.ItemOfPixel(i)] = codeLabels[i];

        int dims = codes.FeatureDims, n = codes.FitCodes.Length / dims;
        var sample = WeightedSampler.DrawDistinct(codes.FitWeights, n, sampleSize, result.Parameters.Seed);
        var sampleCodes = CodeRows.Gather(codes.FitCodes, sample, dims);
        var labels = sample.Select(s => itemLabel[codes.FitItems[s]]).ToArray();
        if (labels.Distinct().Count() < 2 || labels.Distinct().Count() >= labels.Length)
            return new RunQuality(double.NaN, double.NaN, labels.Length);
        return new RunQuality(
            ClusterQuality.Silhouette(sampleCodes, dims, labels, labels.Length, result.Parameters.Seed),
            ClusterQuality.DaviesBouldin(sampleCodes, dims, labels),
            labels.Length);
    }
}
