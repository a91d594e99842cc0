using System.Text.Json.Nodes;

namespace Segmenter.Web.Sweeps;

/// <summary>A cell's state: a run's (<see cref="Api.RunStates"/>), or "waiting" (not queued yet), "skipped" (cancelled before it was queued), "gone" (deleted or evicted).</summary>
public static class SweepCellStates
{
    public const string Waiting = "waiting", Skipped = "skipped", Gone = "gone";
}

/// <summary>What <c>POST /api/sweeps</c> answers (202): the sweep's id, its runs' ids in combination order (null: waiting for a queue place), and where to poll.</summary>
public sealed record SweepAccepted(string Id, int Count, IReadOnlyList<string?> RunIds, string Status, string Link);

/// <summary>
/// One combination of a sweep: its values (setting name → value), its run's id and state, and once finished the run's
/// scores: final loss, silhouette, Davies–Bouldin, ARI and mean IoU against the sweep's truth (when given), and ARI
/// against the RGB and blurred-Lab colour baselines. A score that could not be computed is null.
/// </summary>
public sealed record SweepCell(
    int Index, JsonObject Values, string? RunId, string State, int QueuePosition, string? Link, string? Thumbnail,
    double? FinalLoss = null, double? Silhouette = null, double? DaviesBouldin = null, double? TruthAri = null, double? TruthMeanIoU = null,
    double? RgbBaselineAri = null, double? LabBaselineAri = null, double? Seconds = null, string? Error = null);

/// <summary>
/// <c>GET /api/sweeps/{id}</c>: the sweep's axes (setting → values, in order; the grid lays out the first two), the
/// settings its runs share, its state ("running" while a cell waits, is queued or runs; then "finished", or
/// "cancelled"), and every cell.
/// </summary>
public sealed record SweepStatus(
    string Id, string State, DateTime CreatedUtc, string? ImageName, JsonObject Axes, JsonObject Settings, bool HasTruth,
    IReadOnlyList<SweepCell> Cells, string Link)
{
    public const string Running = "running", Finished = "finished", Cancelled = "cancelled";
}
