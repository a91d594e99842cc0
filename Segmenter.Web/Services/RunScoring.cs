using System.Text.Json.Nodes;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;

namespace Segmenter.Web.Services;

/// <summary>
/// The scores a run carries beside its own, stored in the run's details: the mean pairwise
/// ARI over seeds, its ARI and matched mean IoU against an uploaded truth, and each colour baseline's ARI against
/// the run. A score not measured is null; a run stored without them reads as all null.
/// </summary>
public sealed record RunScores(double? Stability = null, double? TruthAri = null, double? TruthMeanIoU = null,
    double? RgbBaselineAri = null, double? LabBaselineAri = null)
{
    public static readonly RunScores None = new();
}

/// <summary>The seeds of a stability run: one setting, its range and message written once for the page and the API.</summary>
public static class StabilitySeeds
{
    /// <summary>The API setting's name, as in <c>{"stabilitySeeds": 3}</c>.</summary>
    public const string SettingName = "stabilitySeeds";

    public const int Default = 3;

    /// <summary>Every seed is a full training: more than this would hold the shared queue for too long.</summary>
    public const int Max = 8;

    public static string? Check(int? seeds) => seeds is null || seeds < SeedStability.MinimumRuns || seeds > Max
        ? $"The stability seeds must be a whole number from {SeedStability.MinimumRuns} to {Max}."
        : null;

    /// <summary>Takes the setting out of the API's settings (the parameter reader does not know it); null when absent.</summary>
    public static int? Take(JsonObject settings)
    {
        if (!settings.Remove(SettingName, out var node)) return null;
        int? seeds = node is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;
        if (Check(seeds) is { } error) throw new ArgumentException(error);
        return seeds;
    }

    /// <summary>
    /// Trains <paramref name="seeds"/> − 1 more runs that differ from <paramref name="first"/> only in the seed
    /// (seed + 1, seed + 2, …) and measures how far they agree with it and each other.
    /// </summary>
    /// <param name="train">Trains a run with the given parameters on the first run's image.</param>
    public static SeedStability Measure(Func<SegmentationParameters, CancellationToken, SegmentationResult> train, SegmentationResult first, int seeds,
        Action<int>? seedDone, CancellationToken ct)
    {
        var labelings = new List<int[]> { Ints(first.Labels) };
        for (int i = 1; i < seeds; i++)
        {
            var other = train(first.Parameters with { Seed = first.Parameters.Seed + i }, ct);
            using var model = other.Model; // only the labels are compared: the model goes at once
            labelings.Add(Ints(other.Labels));
            seedDone?.Invoke(i + 1);
        }
        return SeedStability.Of(labelings);
    }

    public static int[] Ints(byte[] labels) => Array.ConvertAll(labels, l => (int)l);
}

/// <summary>The colour baselines beside a run, with each one's ARI against it (computed with every run).</summary>
public static class RunBaselines
{
    public static IReadOnlyList<BaselineView> Of(RgbImage image, SegmentationResult result, CancellationToken ct) =>
        BaselineView.Beside(image, result.Labels, result.Parameters.Clusters, result.Parameters.Seed,
            result.Parameters.MaxPixels, ct);

    public static RunScores Scores(IReadOnlyList<BaselineView> baselines, double? stability = null) => new(
        Stability: stability,
        RgbBaselineAri: baselines.FirstOrDefault(b => b.Name == BaselineView.RgbName)?.AriWithRun,
        LabBaselineAri: baselines.FirstOrDefault(b => b.Name == BaselineView.BlurredLabName)?.AriWithRun);
}
