using System.Diagnostics;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Store;

/// <summary>A finished run as the store takes it, built one way for the page's sessions and the HTTP API.</summary>
public static class FinishedRun
{
    public static RunToStore ToStore(string id, string ownerId, string? imageName, byte[] original, SegmentationResult result,
        double silhouette, double daviesBouldin, byte[] segmentedPng, byte[] thumbnailPng)
    {
        var details = new RunDetails(result.Parameters, result.EpochLosses.ToArray(), result.FinalLoss, result.Inertia, result.KMeansIterations,
            silhouette, daviesBouldin, result.Timings, result.Clusters.ToArray());
        double peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        return new RunToStore(id, ownerId, imageName, original, result.Reclustered, result.Width, result.Height, details, result.Plot,
            RunReport.ToJson(result, peakMb, imageName), result.Labels, segmentedPng, thumbnailPng);
    }
}
