using System.Text.Json.Nodes;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Api;

/// <summary>The state of a run as the API words it.</summary>
public static class RunStates
{
    public const string Queued = "queued", Running = "running", Finished = "finished", Failed = "failed", Cancelled = "cancelled";
}

/// <summary>What <c>POST /api/segmentations</c> answers (202, with a Location header to poll).</summary>
public sealed record SegmentationAccepted(string Id, string State, int QueuePosition, string Status, string Link);

/// <summary>One epoch's mean loss and the seconds since training began.</summary>
public sealed record EpochLossDto(int Epoch, double Loss, double ElapsedSeconds);

/// <summary>URLs of a finished run's files; <see cref="Strokes"/> (the posted <c>scribbles</c>, replayable) only for a run steered by strokes.</summary>
public sealed record SegmentationFiles(string Labels, string Segmented, string Report, string? Strokes = null);

/// <summary>
/// A finished run's result summary (what the page shows beside the images); a score that could not be computed is null.
/// <see cref="Stability"/> is the mean pairwise ARI over seeds when the run was asked for <c>"stabilitySeeds"</c>.
/// </summary>
public sealed record SegmentationSummary(
    int Width, int Height, JsonObject Parameters, double? FinalLoss, double? Inertia, double? Silhouette, double? DaviesBouldin,
    IReadOnlyList<ClusterSummary> Clusters, StageTimings Timings, SegmentationFiles Files,
    double? Stability = null, Services.RunScores? Scores = null);

/// <summary><c>GET /api/segmentations/{id}</c>: the state, the place in line, the losses so far, the result once finished.</summary>
public sealed record SegmentationStatus(
    string Id, string State, int QueuePosition, int? TotalEpochs, IReadOnlyList<EpochLossDto> EpochLosses,
    string? Error, string Link, SegmentationSummary? Result);

internal static class JsonNumbers
{
    /// <summary>JSON has no NaN or infinity: a score that could not be computed (one cluster, too few codes) is null.</summary>
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
