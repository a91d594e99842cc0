using System.Globalization;

namespace Segmenter.Web.Sweeps;

/// <summary>A score a sweep's grid is coloured by: its name (the CSV column), label, direction and how it is read from a cell.</summary>
public sealed record SweepMetric(string Name, string Label, bool HigherIsBetter, Func<SweepCell, double?> Of);

/// <summary>The scores of a sweep's cells, and which cell is best by one of them.</summary>
public static class SweepMetrics
{
    public static readonly IReadOnlyList<SweepMetric> All =
    [
        new("final_loss", "Final loss", false, c => c.FinalLoss),
        new("silhouette", "Silhouette", true, c => c.Silhouette),
        new("davies_bouldin", "Davies–Bouldin", false, c => c.DaviesBouldin),
        new("truth_ari", "ARI vs truth", true, c => c.TruthAri),
        new("truth_mean_iou", "Mean IoU vs truth", true, c => c.TruthMeanIoU),
        new("rgb_baseline_ari", "Agreement with RGB k-means (ARI)", true, c => c.RgbBaselineAri),
        new("lab_baseline_ari", "Agreement with blurred-Lab k-means (ARI)", true, c => c.LabBaselineAri),
        new("seconds", "Seconds", false, c => c.Seconds),
    ];

    public static SweepMetric Default => All[1];

    public static SweepMetric Find(string? name) => All.FirstOrDefault(m => m.Name == name) ?? Default;

    /// <summary>The finished cell with the best value of <paramref name="metric"/>, or null when none has one.</summary>
    public static SweepCell? Best(IEnumerable<SweepCell> cells, SweepMetric metric)
    {
        var scored = cells.Where(c => metric.Of(c) is double v && double.IsFinite(v)).ToList();
        if (scored.Count == 0) return null;
        return metric.HigherIsBetter ? scored.MaxBy(c => metric.Of(c)) : scored.MinBy(c => metric.Of(c));
    }

    /// <summary>Where a cell's value lies between the worst (0) and the best (1) of the scored cells; null when it has none.</summary>
    public static double? Rank(SweepCell cell, IReadOnlyList<SweepCell> cells, SweepMetric metric)
    {
        if (metric.Of(cell) is not double v || !double.IsFinite(v)) return null;
        var values = cells.Select(metric.Of).OfType<double>().Where(double.IsFinite).ToArray();
        double min = values.Min(), max = values.Max();
        if (max == min) return 1;
        double t = (v - min) / (max - min);
        return metric.HigherIsBetter ? t : 1 - t;
    }

    /// <summary>A background from pale red (worst) to pale green (best), for a cell's <see cref="Rank"/>.</summary>
    public static string Shade(double rank) => string.Create(CultureInfo.InvariantCulture, $"hsl({rank * 120:0}, 70%, 88%)");

    public static string Format(double? value) => value is double v && double.IsFinite(v) ? v.ToString("0.###", CultureInfo.InvariantCulture) : "–";
}
