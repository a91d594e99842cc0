using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>One cluster's pixels at their original colour over the rest of the original, dimmed.</summary>
public static class ClusterHighlight
{
    /// <summary>How much of their brightness the other clusters' pixels keep.</summary>
    private const int DimPercent = 25;

    public static RgbImage Render(SegmentationResult result, RgbImage original, int cluster)
    {
        if (original.Width != result.Width || original.Height != result.Height)
            throw new ArgumentException("The original image does not match this segmentation's size.");
        if (cluster < 0 || cluster >= result.Clusters.Count)
            throw new ArgumentOutOfRangeException(nameof(cluster), $"There is no cluster {cluster}; this result has {result.Clusters.Count}.");
        var px = (byte[])original.Pixels.Clone();
        var labels = result.Labels;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == cluster) continue;
            for (int ch = 0; ch < 3; ch++) px[3 * i + ch] = (byte)(px[3 * i + ch] * DimPercent / 100);
        }
        return new RgbImage(original.Width, original.Height, px);
    }
}
