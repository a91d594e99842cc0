using Segmenter.Engine.Imaging;

namespace Segmenter.Engine.Pipeline;

/// <summary>
/// fit → assign → render on a trained model's codes: the last three stages of a run and the whole of a re-cluster.
/// Shapes: n items (distinct colours or pixels) of the w × h working image, m ≤ n of them in the fit sample, k
/// clusters, dims numbers per feature (<see cref="ClusterFeatures.Dims"/>); the result is at the full W × H.
/// </summary>
internal static class CodeClustering
{
    internal static SegmentationResult Run(TrainedModel trained, CodeItems items, SegmentationParameters p, StageClock marks,
        CancellationToken ct, bool reclustered = false)
    {
        var image = trained.Image; // w × h
        int dims = trained.FeatureDims;

        // fit: the clusterer on the fit sample's features (m × dims, m weights) → centres (k × dims)
        marks.Enter(PipelineStage.Clustering);
        var clusterer = Clusterers.For(p.Clustering, p.Seed).Fit(trained.FitCodes, dims, trained.FitWeights, ct);

        // assign: every item to its nearest centre (n labels); the fit's own labels when the sample is every item
        var (itemLabels, inertia) = trained.Sampled
            ? CodeAssignment.AssignAll(trained, items, clusterer, ct)
            : (clusterer.Labels, clusterer.Inertia);

        // render: item labels → pixel labels (w × h), smoothed; then the full image's labels (W × H), its cluster table and the plot
        marks.Enter(PipelineStage.Rendering);
        var workingLabels = PixelLabels(items, itemLabels, image);
        workingLabels = LabelSmoothing.Apply(workingLabels, image, p.Clustering);
        var full = trained.Resolution.Full;
        var (labels, clusters, plot) = trained.Resolution.Publish(workingLabels, p.Clusters,
            plotClusters => Plot(trained, items, workingLabels, plotClusters, clusterer.ClusterCenters, p, ct));
        marks.Enter(PipelineStage.Done);

        return new SegmentationResult(p, full.Width, full.Height, labels, clusters, trained.EpochLosses, inertia, clusterer.Iterations,
                marks.Timings(trained.EpochLosses), plot, trained)
            { Reclustered = reclustered, Centres = clusterer.ClusterCenters, CodesEncoded = items.Encoded, CodeLabels = workingLabels };
    }

    private static byte[] PixelLabels(CodeItems items, int[] itemLabels, RgbImage image)
    {
        var labels = new byte[image.PixelCount];
        for (int i = 0; i < labels.Length; i++) labels[i] = (byte)itemLabels[items.ItemOfPixel(i)];
        return labels;
    }

    /// <summary>The 3D plot's points, from the features at hand when they are (kept, or the fit sample's), else encoded for the points alone.</summary>
    private static PlotSample Plot(TrainedModel trained, CodeItems items, byte[] workingLabels, IReadOnlyList<ClusterSummary> clusters,
        float[] centres, SegmentationParameters p, CancellationToken ct)
    {
        var image = trained.Image;
        int dims = trained.FeatureDims;
        if (trained.AllItemCodes is { } itemCodes)
            return PlotSampler.Draw(items, itemCodes, dims, image, workingLabels, clusters, centres, p.Seed);
        // Streamed pooled features: the fitted pixels' features are at hand; scattered pixels' pooled neighbourhoods are not.
        if (!trained.Features.Raw && items.Weights is null)
            return PlotSampler.DrawFromSample(trained.FitItems, trained.FitCodes, dims, image, workingLabels, clusters, centres, p.Seed);
        return PlotSampler.Draw(trained.Autoencoder, trained.Features, items, image, workingLabels, clusters, centres, p.Seed, ct);
    }
}
