using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Segmenter.Bench;

/// <summary>The bench's output: the targets judged from the rows, the Markdown tables and bench-results.json.</summary>
internal static partial class BenchCommand
{

    /// <summary>Prints the tables and the targets and writes bench-results.json into <paramref name="outDir"/>; returns its path.</summary>
    private static string WriteReport(List<Row> rows, KMeansComparison? kmeans, bool peers, bool quick, string? pythonNote, double seconds, string outDir)
    {
        var targets = Targets(rows, kmeans, peers, quick);
        Console.WriteLine();
        Console.WriteLine(Table(rows));
        Console.WriteLine(kmeans is null ? "k-means alone vs scikit-learn: skipped (--quick)." : KMeansText(kmeans));
        Console.WriteLine();
        Console.WriteLine(TargetTable(targets));

        var json = Results(rows, kmeans, targets, quick, pythonNote, seconds);
        string path = Path.Combine(outDir, "bench-results.json");
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    private static List<Target> Targets(List<Row> rows, KMeansComparison? km, bool peers, bool quick)
    {
        var t = new List<Target>();
        var fast = rows.FirstOrDefault(r => r.Label == "astronaut" && r.Setup == "fast");
        var pixel = rows.FirstOrDefault(r => r.Label == "astronaut" && r.Setup == "fast --window 1");
        var original = rows.FirstOrDefault(r => r.Label == "astronaut" && r.Setup == "original");
        string skipped = quick ? "skipped (--quick)" : "skipped (no Python peer)";

        void Add(string name, string goal, double? value, Func<double, bool> ok, string format)
            => t.Add(new(name, goal, value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : skipped, value is { } x ? ok(x) : null));

        // Timed rows are the median of their runs (RunOurs keeps the median run's report as the row's).
        Add("Fast astronaut total", "≤ 3 s", fast?.Timing("totalSeconds"), v => v <= 3, "0.00 's'");
        Add("Fast astronaut first epoch", "≤ 1 s", fast?.Timing("firstEpochSeconds"), v => v <= 1, "0.00 's'");
        Add("Fast astronaut vs its pixel model (window 1)", "≤ 2× its time", TimeRatio(fast, pixel), v => v <= 2, "0.00'×'");
        Add("Pixel model astronaut total", "≤ 2.6 s", pixel?.Timing("totalSeconds"), v => v <= 2.6, "0.00 's'");
        Add("Fast astronaut vs Python 30-epoch pipeline", "≥ 50× faster", Ratio(fast), v => v >= 50, "0.0'×'");
        Add("Original astronaut vs Python", "≥ 5× faster", Ratio(original), v => v >= 5, "0.0'×'");
        Add("Original astronaut final loss vs Python", "≤ 1.1 × Python's (lower is fine)", LossRatio(original), v => v <= 1.1, "0.00'×'");
        t.Add(km?.SklearnSeconds is { } sk
            ? new("k-means vs scikit-learn, time", "ours ≤ sklearn", $"{km!.OursSeconds:0.000} s vs {sk:0.000} s", km.OursSeconds <= sk)
            : new("k-means vs scikit-learn, time", "ours ≤ sklearn", skipped, null));
        t.Add(km?.InertiaDiffPercent is { } d
            ? new("k-means vs scikit-learn, inertia", "within 0.5 % (lower is fine)", $"{d:+0.000;-0.000} %", d <= 0.5)
            : new("k-means vs scikit-learn, inertia", "within 0.5 % (lower is fine)", skipped, null));
        foreach (var r in rows.Where(r => r.GroundTruth is not null))
        {
            string goal = "ARI ≥ Python's";
            t.Add(r.Ari is { } ours && r.Peer?.Ari is { } py
                ? new($"Fast ARI, {r.Label}", goal, $"{ours:0.000} vs {py:0.000}", ours >= py)
                : new($"Fast ARI, {r.Label}", goal, r.Ari is { } o ? $"{o:0.000} vs {skipped}" : "no result", null));
        }
        var big = rows.FirstOrDefault(r => r.Label.StartsWith("generated", StringComparison.Ordinal));
        Add("24 MP peak working set (highest run)", "≤ 2048 MB", big?.MaxPeakMb, v => v <= 2048, "0 'MB'");
        Add("24 MP total", "≤ 30 s", big?.Timing("totalSeconds"), v => v <= 30, "0.00 's'");
        return t;
    }

    private static double? Ratio(Row? r) => r?.Peer?.TotalSeconds is { } py && r.Timing("totalSeconds") is { } ours && ours > 0 ? py / ours : null;

    private static double? LossRatio(Row? r) => r?.Peer?.FinalLoss is { } py && py > 0 && r.Number("finalLoss") is { } ours ? ours / py : null;

    private static double? TimeRatio(Row? r, Row? baseline) =>
        r?.Timing("totalSeconds") is { } ours && baseline?.Timing("totalSeconds") is { } other && other > 0 ? ours / other : null;

    private static string Table(List<Row> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| image | preset | k | decode s | train s | encode s | cluster s | render s | total s | 1st epoch s | peak MB | final loss | inertia | ARI | py total s | py loss | py ARI | py/ours |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            if (r.Error is not null)
            {
                sb.AppendLine($"| {r.Label} | {r.Setup} | {r.K} | failed: {r.Error.ReplaceLineEndings(" ")} |||||||||||||||");
                continue;
            }
            string F(double? v, string f) => v is { } x ? x.ToString(f, CultureInfo.InvariantCulture) : "–";
            sb.AppendLine(string.Join(" | ",
                $"| {r.Label}", r.Setup, r.K.ToString(CultureInfo.InvariantCulture),
                F(r.Timing("decodeSeconds"), "0.00"), F(r.Timing("trainSeconds"), "0.00"), F(r.Timing("encodeSeconds"), "0.00"),
                F(r.Timing("clusterSeconds"), "0.00"), F(r.Timing("renderSeconds"), "0.00"), F(r.Timing("totalSeconds"), "0.00"),
                F(r.Timing("firstEpochSeconds"), "0.00"), F(r.Number("peakWorkingSetMb"), "0"), F(r.Number("finalLoss"), "0.000000"),
                F(r.Number("inertia"), "0.###"), F(r.Ari, "0.000"),
                r.Peer?.Error is { } pe ? $"failed: {pe}" : F(r.Peer?.TotalSeconds, "0.0"),
                F(r.Peer?.FinalLoss, "0.000000"), F(r.Peer?.Ari, "0.000"), F(Ratio(r), "0.0") + " |"));
        }
        sb.Append("Times are the pipeline's own (decode → render, in a fresh child process); peak MB is that process's VmHWM.");
        foreach (var r in rows.Where(r => r.Runs.Count > 1))
            sb.Append($"\n{r.Label} [{r.Setup}] shows the median of {r.Runs.Count} runs by total; totals " +
                      $"{string.Join(", ", r.Totals.Select(t => t.ToString("0.00", CultureInfo.InvariantCulture)))} s, peaks up to {r.MaxPeakMb:0} MB.");
        return sb.ToString();
    }

    private static string KMeansText(KMeansComparison k) => k.SklearnSeconds is { } s
        ? $"k-means alone on {k.Codes}×{k.Dims} astronaut codes ({k.Preset}-trained), k=4, 10 restarts: ours {k.OursSeconds:0.000} s " +
          $"(inertia {k.OursInertia:0.####}, {k.OursIterations} iterations), scikit-learn {s:0.000} s (inertia {k.SklearnInertia:0.####}, " +
          $"{k.SklearnIterations} iterations); inertia difference {k.InertiaDiffPercent:+0.000;-0.000} %, speed ratio {s / k.OursSeconds:0.00}×"
        : $"k-means alone on {k.Codes}×{k.Dims} astronaut codes ({k.Preset}-trained), k=4, 10 restarts: ours {k.OursSeconds:0.000} s " +
          $"(inertia {k.OursInertia:0.####}); {k.Note}";

    private static string TargetTable(List<Target> targets)
    {
        var sb = new StringBuilder("| target | goal | measured | met |\n|---|---|---|---|\n");
        foreach (var t in targets)
            sb.AppendLine($"| {t.Name} | {t.Goal} | {t.Measured} | {(t.Met switch { true => "yes", false => "**no**", null => "–" })} |");
        return sb.ToString().TrimEnd();
    }

    private static JsonObject Results(List<Row> rows, KMeansComparison? km, List<Target> targets, bool quick, string? pythonNote, double seconds)
    {
        JsonNode? N(double? v) => v is { } x && double.IsFinite(x) ? JsonValue.Create(x) : null;
        return new JsonObject
        {
            ["generatedUtc"] = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
            ["mode"] = quick ? "quick" : "full",
            ["machine"] = new JsonObject
            {
                ["cores"] = Environment.ProcessorCount,
                ["os"] = RuntimeInformation.OSDescription,
                ["runtime"] = RuntimeInformation.FrameworkDescription,
            },
            ["pythonPeers"] = pythonNote is null,
            ["pythonNote"] = pythonNote,
            ["benchSeconds"] = seconds,
            ["rows"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
            {
                ["image"] = r.Label,
                ["path"] = r.ImagePath,
                ["preset"] = r.Preset,
                ["setup"] = r.Setup,
                ["runTotalSeconds"] = new JsonArray([.. r.Totals.Select(t => (JsonNode?)JsonValue.Create(t))]),
                ["maxPeakWorkingSetMb"] = N(r.MaxPeakMb),
                ["clusters"] = r.K,
                ["error"] = r.Error,
                ["width"] = N(r.Number("width")),
                ["height"] = N(r.Number("height")),
                ["decodeSeconds"] = N(r.Timing("decodeSeconds")),
                ["trainSeconds"] = N(r.Timing("trainSeconds")),
                ["encodeSeconds"] = N(r.Timing("encodeSeconds")),
                ["clusterSeconds"] = N(r.Timing("clusterSeconds")),
                ["renderSeconds"] = N(r.Timing("renderSeconds")),
                ["totalSeconds"] = N(r.Timing("totalSeconds")),
                ["firstEpochSeconds"] = N(r.Timing("firstEpochSeconds")),
                ["processSeconds"] = r.ProcessSeconds,
                ["peakWorkingSetMb"] = N(r.Number("peakWorkingSetMb")),
                ["finalLoss"] = N(r.Number("finalLoss")),
                ["inertia"] = N(r.Number("inertia")),
                ["ari"] = N(r.Ari),
                ["peer"] = r.Peer is { } p
                    ? new JsonObject
                    {
                        ["totalSeconds"] = N(p.TotalSeconds), ["finalLoss"] = N(p.FinalLoss), ["ari"] = N(p.Ari),
                        ["speedRatio"] = N(Ratio(r)), ["error"] = p.Error,
                    }
                    : null,
            }).ToArray()),
            ["kmeans"] = km is null ? null : new JsonObject
            {
                ["trainedWith"] = km.Preset,
                ["codes"] = km.Codes,
                ["dims"] = km.Dims,
                ["clusters"] = 4,
                ["restarts"] = 10,
                ["oursSeconds"] = km.OursSeconds,
                ["oursInertia"] = km.OursInertia,
                ["oursIterations"] = km.OursIterations,
                ["sklearnSeconds"] = N(km.SklearnSeconds),
                ["sklearnInertia"] = N(km.SklearnInertia),
                ["sklearnIterations"] = km.SklearnIterations,
                ["inertiaDiffPercent"] = N(km.InertiaDiffPercent),
                ["note"] = km.Note,
            },
            ["targets"] = new JsonArray(targets.Select(t => (JsonNode)new JsonObject
            {
                ["name"] = t.Name, ["goal"] = t.Goal, ["measured"] = t.Measured, ["met"] = t.Met,
            }).ToArray()),
        };
    }
}
