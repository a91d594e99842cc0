using System.Text.Json.Nodes;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Segmenter.Web.Api;
using Segmenter.Web.Services;
using Segmenter.Web.Sweeps;

namespace Segmenter.Bench;

/// <summary>
/// <c>segment IMAGE --sweep "window=1,3,5;heads=1,2,4" --out DIR</c>: one run per combination (the other options shared),
/// each into its own folder (<c>window-3_heads-2</c>) with the usual three files, and <c>sweep.csv</c> with every run's
/// values and scores, the columns of the page's sweep CSV. Every combination is checked before the first run.
/// </summary>
internal static class SegmentSweep
{
    public const string CsvFile = "sweep.csv";

    /// <summary>Reads the axes and checks every combination with the settings' messages; throws <see cref="UsageException"/> before anything runs.</summary>
    public static (IReadOnlyList<SweepAxis> Axes, SegmentationParameters[] Runs) Plan(string sweep, SegmentationParameters basis)
    {
        IReadOnlyList<SweepAxis> axes;
        try { axes = SweepAxes.Parse(sweep); }
        catch (ArgumentException e) { throw new UsageException($"--sweep: {e.Message}"); }
        var runs = SweepAxes.Combinations(axes).Select(values => With(basis, axes, values)).ToArray();
        foreach (var (p, values) in runs.Zip(SweepAxes.Combinations(axes)))
        {
            try { p.Validate(long.MaxValue); }
            catch (ArgumentException e) { throw new UsageException($"--sweep {Folder(axes, values)}: {e.Message}"); }
        }
        return (axes, runs);
    }

    public static int Run(string imagePath, string sweep, SegmentationParameters basis, string outDir, string? truthPath)
    {
        var (axes, runs) = Plan(sweep, basis);
        var image = ImageLoader.Load(imagePath);
        foreach (var p in runs)
        {
            try { p.Validate(image.PixelCount); }
            catch (ArgumentException e) { throw new UsageException($"--sweep: {e.Message}"); }
        }
        int[]? truth = null;
        if (truthPath is not null)
        {
            using var f = File.OpenRead(truthPath);
            truth = TruthScore.ReadLabelMap(f, image.Width, image.Height);
        }
        Directory.CreateDirectory(outDir);
        var combinations = SweepAxes.Combinations(axes);
        var cells = new List<SweepCell>();
        int exit = Program.Ok;
        for (int i = 0; i < runs.Length; i++)
        {
            string folder = Folder(axes, combinations[i]);
            var values = new JsonObject();
            for (int a = 0; a < axes.Count; a++) values[axes[a].Name] = axes[a].Field.ToJson(combinations[i][a]);
            Console.Write($"[{i + 1}/{runs.Length}] {folder}: ");
            try
            {
                var segmenter = new SegmentCommand.Segmenter(runs[i], null, null, null);
                var result = segmenter.Segment(imagePath, Path.Combine(outDir, folder), verbose: false);
                using var model = result.Model; // each run's model goes once it is scored: the sweep keeps files and scores only
                cells.Add(Scored(i, values, folder, image, result, truth));
                Console.WriteLine($"final loss {result.FinalLoss:0.000000}, {result.Timings.TotalSeconds:0.00} s");
            }
            catch (TrainingFailedException e)
            {
                cells.Add(new SweepCell(i, values, null, RunStates.Failed, 0, folder, null, Error: e.Message));
                Console.WriteLine($"failed: {e.Message}");
                if (exit == Program.Ok) exit = Program.TrainingFailed;
            }
        }
        File.WriteAllText(Path.Combine(outDir, CsvFile), SweepCsv.Write(axes.Select(a => a.Name).ToArray(), cells));
        Console.WriteLine($"wrote {runs.Length} run folders and {Path.Combine(outDir, CsvFile)}");
        return exit;
    }

    /// <summary>The run's scores as the app's sweep grid has them: quality on a sample of codes, the colour baselines, the truth.</summary>
    private static SweepCell Scored(int index, JsonObject values, string folder, RgbImage image, SegmentationResult result, int[]? truth)
    {
        var quality = TrainedModel.Of(result).Quality(result, RunPublisher.QualitySample);
        var scores = RunBaselines.Scores(RunBaselines.Of(image, result, CancellationToken.None));
        var against = truth is null ? null : TruthScore.Of(truth, StabilitySeeds.Ints(result.Labels));
        return new SweepCell(index, values, null, RunStates.Finished, 0, folder, null, result.FinalLoss,
            Finite(quality.Silhouette), Finite(quality.DaviesBouldin), against?.Ari, against?.MatchedMeanIoU,
            scores.RgbBaselineAri, scores.LabBaselineAri, result.Timings.TotalSeconds);
    }

    private static double? Finite(double x) => double.IsFinite(x) ? x : null;

    private static SegmentationParameters With(SegmentationParameters basis, IReadOnlyList<SweepAxis> axes, IReadOnlyList<object?> values)
    {
        for (int i = 0; i < axes.Count; i++) basis = axes[i].Field.With(basis, values[i]);
        return basis;
    }

    /// <summary>"window-3_heads-2": the combination's values, safe as a folder name.</summary>
    private static string Folder(IReadOnlyList<SweepAxis> axes, IReadOnlyList<object?> values)
        => string.Join('_', axes.Select((a, i) => $"{a.Name}-{a.Field.ToText(values[i]) ?? "none"}"));
}
