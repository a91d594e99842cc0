using System.Globalization;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Services;

/// <summary>One cluster's pixels at their original colour over the rest of the original, dimmed.</summary>
public static class ClusterHighlight
{
    private const string Prefix = "highlight-";

    /// <summary>How much of their brightness the other clusters' pixels keep.</summary>
    private const int DimPercent = 25;

    /// <summary>The image name the session serves it under ("highlight-2").</summary>
    public static string Name(int cluster) => Prefix + cluster.ToString(CultureInfo.InvariantCulture);

    /// <summary>The cluster an image name asks for, or null when it names no highlight.</summary>
    public static int? Parse(string which)
        => which.StartsWith(Prefix, StringComparison.Ordinal) && int.TryParse(which.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int c)
            ? c : null;

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
