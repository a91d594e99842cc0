using System.Runtime.CompilerServices;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Regions;

/// <summary>
/// segments = regions after training: the trained model's region tree (built on the first call, then shared by every
/// re-cut) cut at k, in place of fit → assign. A region's centre is its pixels' mean feature, the inertia their squared
/// distances to it. No mode filter or border refinement: either could split a region or remove one.
/// </summary>
internal static class RegionCut
{
    internal static SegmentationResult Run(TrainedModel trained, CodeItems items, SegmentationParameters p, StageClock marks,
        CancellationToken ct, bool reclustered)
    {
        var image = trained.Image;
        int dims = trained.FeatureDims, k = p.Clusters;
        marks.Enter(PipelineStage.Clustering);
        var features = PixelFeatures(trained, items, ct);
        var tree = trained.RegionTree(() => RegionTree.Build(image, features, dims, p.CodeSize, k, ct));
        var workingLabels = tree.Cut(k);
        var (centres, inertia) = Centres(features, dims, workingLabels, k);

        marks.Enter(PipelineStage.Rendering);
        var full = trained.Resolution.Full;
        var (labels, clusters, plot) = trained.Resolution.Publish(workingLabels, k,
            plotClusters => PlotSampler.Draw(features, dims, image, workingLabels, plotClusters, centres, p.Seed));
        marks.Enter(PipelineStage.Done);
        return new SegmentationResult(p, full.Width, full.Height, labels, clusters, trained.EpochLosses, inertia, kmeansIterations: 0,
                marks.Timings(trained.EpochLosses), plot, trained)
            { Reclustered = reclustered, Centres = centres, CodesEncoded = items.Encoded, CodeLabels = workingLabels, RegionsAvailable = tree.MaxCount };
    }

    /// <summary>Every working pixel's clustered feature (pixels × dims): the kept item codes when there are any, else encoded.</summary>
    private static float[] PixelFeatures(TrainedModel trained, CodeItems items, CancellationToken ct) =>
        trained.AllItemCodes is { } known ? PixelFeatures(known, trained.FeatureDims, items, (int)trained.Image.PixelCount) : trained.Encode(ct);

    /// <summary>Every pixel's row of the items' features (the same array when the items are the pixels).</summary>
    internal static float[] PixelFeatures(float[] itemFeatures, int dims, CodeItems items, int pixels)
    {
        if (items.Count == pixels && items.Weights is null) return itemFeatures;
        var features = new float[(long)pixels * dims];
        for (int i = 0; i < pixels; i++) Array.Copy(itemFeatures, (long)items.ItemOfPixel(i) * dims, features, (long)i * dims, dims);
        return features;
    }

    /// <summary>Each region's mean feature (k × dims) and the pixels' summed squared distance to their region's mean.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (float[] Centres, double Inertia) Centres(float[] features, int dims, byte[] labels, int k)
    {
        var sums = new double[k * dims];
        var counts = new long[k];
        for (int i = 0; i < labels.Length; i++)
        {
            int c = labels[i];
            counts[c]++;
            for (int j = 0; j < dims; j++) sums[c * dims + j] += features[(long)i * dims + j];
        }
        var centres = new float[k * dims];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < dims; j++) centres[c * dims + j] = counts[c] == 0 ? 0 : (float)(sums[c * dims + j] / counts[c]);
        double inertia = 0;
        for (int i = 0; i < labels.Length; i++)
            for (int j = 0; j < dims; j++)
            {
                double t = features[(long)i * dims + j] - centres[labels[i] * dims + j];
                inertia += t * t;
            }
        return (centres, inertia);
    }
}
