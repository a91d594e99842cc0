using System.Globalization;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Services;

namespace Segmenter.Web.Components.Charts;

/// <summary>
/// The text alternative of the charts drawn with Plotly.Blazor: their key figures in words, shown as the chart's
/// caption, which names the chart's figure for assistive technology, so the figures are there without a mouse or a canvas.
/// </summary>
public static class ChartCaptions
{
    private static string N(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    /// <summary>The k sweep: its range, the suggestion, and where each score is best.</summary>
    public static string KSweep(KSweep sweep)
    {
        var p = sweep.Points;
        var scored = p.Where(x => double.IsFinite(x.Silhouette)).ToArray();
        var bounded = p.Where(x => double.IsFinite(x.DaviesBouldin)).ToArray();
        var silhouette = scored.Length == 0 ? "no silhouette could be computed"
            : $"best silhouette {N(scored.Max(x => x.Silhouette), "0.000")} at k = {scored.MaxBy(x => x.Silhouette)!.K}";
        var daviesBouldin = bounded.Length == 0 ? "no Davies–Bouldin index could be computed"
            : $"lowest Davies–Bouldin {N(bounded.Min(x => x.DaviesBouldin), "0.000")} at k = {bounded.MinBy(x => x.DaviesBouldin)!.K}";
        return $"Scores for k = {p.Min(x => x.K)}…{p.Max(x => x.K)}: inertia falls from {N(p[0].Inertia, "0.###")} to {N(p[^1].Inertia, "0.###")}, " +
               $"elbow at k = {Services.KSweep.Elbow(p)}; {silhouette}; {daviesBouldin}; suggested k = {sweep.SuggestedK}.";
    }

    /// <summary>The compared runs' loss curves: per run its epochs and first and final loss.</summary>
    public static string CompareLoss(IEnumerable<RunRecord> runs)
        => "Loss per epoch: " + string.Join("; ", runs.Select(r => r.Losses.Count == 0
            ? $"run #{r.Number} (k={r.Clusters}) has no training curve"
            : $"run #{r.Number} (k={r.Clusters}) {r.Losses.Count} epochs, from {N(r.Losses[0].Loss, "0.#####")} to {N(r.FinalLoss, "0.#####")}")) + ".";
}
