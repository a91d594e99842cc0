using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Steering;

/// <summary>
/// Turns a hand-steered clustering back into a <see cref="SegmentationResult"/> of the same trained model, so the
/// segmented image, the distribution, the plots and the report show the edited labels like any run's.
/// </summary>
internal static class SteeredResults
{
    /// <summary>
    /// A result holding <paramref name="steered"/>'s labels and centres, sharing <paramref name="previous"/>'s trained
    /// model (no training): clusters summarised and plot points drawn again, both from the given codes (no encoding).
    /// </summary>
    internal static SegmentationResult Relabel(TrainedModel trained, SegmentationResult previous, SteeredClusters steered,
        float[] codes, int dims, CancellationToken ct)
    {
        var image = trained.Image;
        RequireSameSize(previous, trained.Resolution.Full);
        CodeShape.Require(codes, dims, steered.Labels.Length);
        if (steered.Labels.Length != image.PixelCount)
            throw new ArgumentException($"The clustering holds {steered.Labels.Length} pixels, not the image's {image.PixelCount}.");
        if (steered.Count < SegmentationParameters.MinClusters || steered.Count > SegmentationParameters.MaxClusters)
            throw new ArgumentException($"A segmentation has {SegmentationParameters.MinClusters}…{SegmentationParameters.MaxClusters} clusters; this edit leaves {steered.Count}.");
        var p = previous.Parameters with { Clusters = steered.Count };
        var labels = new byte[steered.Labels.Length];
        double inertia = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int c = steered.Labels[i];
            labels[i] = (byte)c;
            inertia += DistanceKernels.SquaredDistance(codes, i * dims, steered.Centres, c * dims, dims);
        }
        ct.ThrowIfCancellationRequested();
        var (fullLabels, clusters, plot) = trained.Resolution.Publish(labels, steered.Count,
            plotClusters => PlotSampler.Draw(codes, dims, image, labels, plotClusters, steered.Centres, p.Seed));
        var result = new SegmentationResult(p, previous.Width, previous.Height, fullLabels, clusters, previous.EpochLosses, inertia,
            kmeansIterations: 0, previous.Timings, plot, trained)
        { Reclustered = true, Centres = steered.Centres, CodesEncoded = previous.CodesEncoded, CodeLabels = labels };
        return result;
    }

    private static void RequireSameSize(SegmentationResult result, RgbImage image)
    {
        if (image.Width != result.Width || image.Height != result.Height)
            throw new ArgumentException($"The image is {image.Width}×{image.Height}, the segmentation {result.Width}×{result.Height}: edit on the image it ran on.");
    }
}
