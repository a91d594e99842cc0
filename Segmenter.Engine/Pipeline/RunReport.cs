using System.Text.Json;
using System.Text.Json.Nodes;

namespace Segmenter.Engine.Pipeline;

/// <summary>The run report (report.json) shared by the CLI and the web page's download.</summary>
public static class RunReport
{
    public static JsonObject Create(SegmentationResult r, double? peakWorkingSetMb = null, string? image = null)
    {
        var p = r.Parameters;
        var report = new JsonObject
        {
            ["image"] = image,
            ["width"] = r.Width,
            ["height"] = r.Height,
            ["reclustered"] = r.Reclustered,
            ["peakWorkingSetMb"] = peakWorkingSetMb,
            ["parameters"] = ReportParameters.ToJson(p),
            ["epochLosses"] = new JsonArray(r.EpochLosses.Select(e => (JsonNode)JsonValue.Create(e.Loss)!).ToArray()),
            ["finalLoss"] = r.FinalLoss,
            ["inertia"] = r.Inertia,
            ["kmeansIterations"] = r.KMeansIterations,
            ["regions"] = r.Parameters.Segments == Segments.Regions
                ? new JsonObject { ["cut"] = r.Parameters.Clusters, ["available"] = r.RegionsAvailable is { } most ? new JsonArray(SegmentationParameters.MinClusters, most) : null }
                : null,
            ["clusters"] = new JsonArray(r.Clusters.Select(c => (JsonNode)new JsonObject
            {
                ["index"] = c.Index,
                ["count"] = c.PixelCount,
                ["share"] = c.Share,
                ["rgb"] = new JsonArray(c.R, c.G, c.B),
            }).ToArray()),
            ["timings"] = new JsonObject
            {
                ["decodeSeconds"] = r.Timings.DecodeSeconds,
                ["trainSeconds"] = r.Timings.TrainSeconds,
                ["encodeSeconds"] = r.Timings.EncodeSeconds,
                ["clusterSeconds"] = r.Timings.ClusterSeconds,
                ["renderSeconds"] = r.Timings.RenderSeconds,
                ["totalSeconds"] = r.Timings.TotalSeconds,
                ["firstEpochSeconds"] = r.Timings.FirstEpochSeconds,
                ["peakWorkingSetMb"] = peakWorkingSetMb,
            },
        };
        return report;
    }

    public static string ToJson(SegmentationResult r, double? peakWorkingSetMb = null, string? image = null)
        => Create(r, peakWorkingSetMb, image).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
