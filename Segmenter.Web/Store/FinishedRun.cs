using System.Diagnostics;
using System.Text.Json;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Store;

/// <summary>A finished run as the store takes it, built one way for the page's sessions and the HTTP API.</summary>
public static class FinishedRun
{
    /// <param name="model">The model to keep; by default the result's own trained model (<see cref="ModelOf"/>).</param>
    /// <param name="fromRun">The stored run whose model was applied (no training), recorded in the report.</param>
    public static RunToStore ToStore(string id, string ownerId, string? imageName, byte[] original, SegmentationResult result,
        double silhouette, double daviesBouldin, byte[] segmentedPng, byte[] thumbnailPng, byte[]? model = null, string? fromRun = null)
    {
        var details = new RunDetails(result.Parameters, result.EpochLosses.ToArray(), result.FinalLoss, result.Inertia, result.KMeansIterations,
            silhouette, daviesBouldin, result.Timings, result.Clusters.ToArray());
        double peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        var report = RunReport.Create(result, peakMb, imageName);
        if (fromRun is not null) report["fromRun"] = fromRun;
        return new RunToStore(id, ownerId, imageName, original, result.Reclustered, result.Width, result.Height, details, result.Plot,
            report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), result.Labels, segmentedPng, thumbnailPng,
            model ?? ModelOf(result));
    }

    /// <summary>The result's trained model as a <see cref="SavedModel"/> file (about 100 KB), or null when it holds none any more.</summary>
    public static byte[]? ModelOf(SegmentationResult result)
    {
        try
        {
            using var file = new MemoryStream();
            SavedModel.Save(result, file);
            return file.ToArray();
        }
        catch (InvalidOperationException) { return null; } // released (resident budget) or never trained here
    }
}
