using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Bench;

/// <summary>
/// <c>bench [--quick | --big-only] [--out DIR]</c>: our pipeline on the sample image, the synthetic fixtures and a generated
/// 24-megapixel image, each run in its own child process (so the peak working set is that run's alone), beside
/// the Python peer (the original system's algorithm) on the same images; then k-means alone against scikit-learn
/// on identical codes. Prints a Markdown table and the targets, writes DIR/bench-results.json.
/// </summary>
internal static class BenchCommand
{
    private static readonly TimeSpan OurTimeout = TimeSpan.FromMinutes(10);
    private const string BigLabel = "generated 24 MP";

    private sealed class Row
    {
        public required string Label { get; init; }
        public required string ImagePath { get; init; }
        public required string Preset { get; init; }
        public required int K { get; init; }
        public string? GroundTruth { get; init; }
        public bool WantsPeer { get; init; }
        public JsonNode? Report { get; set; }
        public double ProcessSeconds { get; set; }
        public double? Ari { get; set; }
        public string? Error { get; set; }
        public PeerResult? Peer { get; set; }

        public double? Timing(string name) => Report?["timings"]?[name]?.GetValue<double>();
        public double? Number(string name) => Report?[name]?.GetValue<double>();
    }

    private sealed record PeerResult(double? TotalSeconds, double? FinalLoss, double? Ari, string? Error);

    private sealed record Target(string Name, string Goal, string Measured, bool? Met);

    public static int Run(string[] args)
    {
        var cl = CommandLine.Parse(args, ["--out"], ["--quick", "--big-only", "--help"]);
        if (cl.Flag("--help")) { Console.WriteLine(Program.Usage); return Program.Ok; }
        if (cl.Positionals.Count > 0) throw new UsageException($"bench takes no positional argument; got '{cl.Positionals[0]}'.");
        bool quick = cl.Flag("--quick"), bigOnly = cl.Flag("--big-only");
        string outDir = Path.GetFullPath(cl.String("--out") ?? Directory.GetCurrentDirectory());
        string runsDir = Path.Combine(outDir, "bench-out");
        Directory.CreateDirectory(runsDir);
        string root = RepoPaths.RequireRoot();
        var clock = Stopwatch.StartNew();

        string? pythonNote = quick ? "--quick: Python peers skipped." : PythonPeer.Unavailable();
        bool peers = pythonNote is null;
        Console.WriteLine($"# Segmenter bench ({(quick ? "quick" : "full")}), {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}");
        if (pythonNote is not null) Console.WriteLine($"note: {pythonNote}");

        var rows = BuildRows(root, quick, peers, out string? tempDir);
        if (bigOnly) rows.RemoveAll(r => r.Label != BigLabel);   // re-measure the 24 MP row alone
        try
        {
            foreach (var row in rows)
            {
                RunOurs(row, runsDir);
                Console.WriteLine(row.Error is null
                    ? $"ours  {row.Label} [{row.Preset}]: total {row.Timing("totalSeconds"):0.00} s, peak {row.Number("peakWorkingSetMb"):0} MB, loss {row.Number("finalLoss"):0.000000}{(row.Ari is { } a ? $", ARI {a:0.000}" : "")}"
                    : $"ours  {row.Label} [{row.Preset}]: FAILED — {row.Error}");
            }

            var kmeans = quick || bigOnly ? null : CompareKMeans(root, peers);

            if (peers)
            {
                var done = new Dictionary<string, PeerResult>();
                foreach (var row in rows.Where(r => r.WantsPeer))
                {
                    if (!done.TryGetValue(row.ImagePath, out var peer))
                    {
                        Console.WriteLine($"peer  {row.Label}: running the Python pipeline (30 epochs, k={row.K}); this takes minutes…");
                        peer = done[row.ImagePath] = RunPeer(row, runsDir);
                        Console.WriteLine(peer.Error is null
                            ? $"peer  {row.Label}: total {peer.TotalSeconds:0.0} s, loss {peer.FinalLoss:0.000000}{(peer.Ari is { } a ? $", ARI {a:0.000}" : "")}"
                            : $"peer  {row.Label}: FAILED — {peer.Error}");
                    }
                    row.Peer = peer;
                }
            }

            var targets = Targets(rows, kmeans, peers, quick);
            Console.WriteLine();
            Console.WriteLine(Table(rows));
            Console.WriteLine(kmeans is null ? "k-means alone vs scikit-learn: skipped (--quick)." : KMeansText(kmeans));
            Console.WriteLine();
            Console.WriteLine(TargetTable(targets));

            var json = Results(rows, kmeans, targets, quick, pythonNote, clock.Elapsed.TotalSeconds);
            string path = Path.Combine(outDir, "bench-results.json");
            File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {path} ({clock.Elapsed.TotalSeconds:0} s in all)");
            return rows.Any(r => r.Error is not null) ? Program.Failed : Program.Ok;
        }
        finally
        {
            if (tempDir is not null) try { Directory.Delete(tempDir, recursive: true); } catch (IOException) { }
        }
    }

    // ---- rows ----------------------------------------------------------------------------------------------

    private static List<Row> BuildRows(string root, bool quick, bool peers, out string? tempDir)
    {
        tempDir = null;
        string astronaut = Path.Combine(root, "assets", "astronaut.png");
        var rows = new List<Row> { new() { Label = "astronaut", ImagePath = astronaut, Preset = "fast", K = 4, WantsPeer = peers } };
        if (!quick) rows.Add(new() { Label = "astronaut", ImagePath = astronaut, Preset = "original", K = 4, WantsPeer = peers });

        string fixtures = RepoPaths.SyntheticFixtures;
        string kFile = Path.Combine(fixtures, "k.txt");
        if (File.Exists(kFile))
        {
            var entries = File.ReadAllLines(kFile)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length == 2)
                .Select(f => (Name: f[0], K: int.Parse(f[1], CultureInfo.InvariantCulture)));
            foreach (var (name, k) in quick ? entries.Take(1) : entries)
            {
                string gt = Path.Combine(fixtures, name + ".gt.png");
                rows.Add(new()
                {
                    Label = name, ImagePath = Path.Combine(fixtures, name + ".png"), Preset = "fast", K = k,
                    GroundTruth = File.Exists(gt) ? gt : null, WantsPeer = peers,
                });
            }
        }
        else
        {
            Console.WriteLine($"note: {kFile} not found; synthetic fixtures skipped.");
        }

        if (!quick)
        {
            tempDir = Path.Combine(Path.GetTempPath(), $"segmenter-bench-{Environment.ProcessId}");
            Directory.CreateDirectory(tempDir);
            string big = Path.Combine(tempDir, "generated-24mp.png");
            var sw = Stopwatch.StartNew();
            var image = SyntheticImages.Regions(6000, 4000, regions: 6, noise: 6, seed: 24);
            using (var f = File.Create(big)) ImageLoader.SavePng(image, f);
            Console.WriteLine($"generated 6000×4000 test image ({new FileInfo(big).Length / 1048576.0:0.0} MB PNG) in {sw.Elapsed.TotalSeconds:0.0} s");
            rows.Add(new() { Label = BigLabel, ImagePath = big, Preset = "fast", K = 6 });
        }
        return rows;
    }

    private static void RunOurs(Row row, string runsDir)
    {
        string dir = Path.Combine(runsDir, $"{Slug(row.Label)}-{row.Preset}");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var (exe, prefix) = ChildProcess.Self();
        var run = ChildProcess.Run(exe,
            [.. prefix, "segment", row.ImagePath, "--clusters", row.K.ToString(CultureInfo.InvariantCulture),
             "--preset", row.Preset, "--out", dir],
            OurTimeout);
        row.ProcessSeconds = run.Seconds;
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(dir).FullName, "stdout.txt"), run.Stdout + run.Stderr);
        if (run.ExitCode != 0)
        {
            row.Error = run.TimedOut ? $"timed out after {OurTimeout.TotalMinutes} min" : $"exit {run.ExitCode}: {run.Stderr.Trim()}";
            return;
        }
        row.Report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
        if (row.GroundTruth is not null)
            row.Ari = Agreement.AdjustedRandIndex(LabelMaps.Read(row.GroundTruth), LabelMaps.Read(Path.Combine(dir, "labels.png")));
    }

    private static PeerResult RunPeer(Row row, string runsDir)
    {
        string labels = Path.Combine(runsDir, $"{Slug(row.Label)}-python-labels.png");
        var run = PythonPeer.RunOriginal(Path.Combine(RepoPaths.Shared, "peers"), row.ImagePath, row.K, labels);
        if (run.Error is not null) return new(null, null, null, run.Error);
        double? ari = row.GroundTruth is null ? null : Agreement.AdjustedRandIndex(LabelMaps.Read(row.GroundTruth), LabelMaps.Read(labels));
        return new(run.TotalSeconds, run.FinalLoss, ari, null);
    }

    // ---- k-means alone ---------------------------------------------------------------------------------------

    private sealed record KMeansComparison(string Preset, int Codes, int Dims, double OursSeconds, double OursInertia, int OursIterations,
        double? SklearnSeconds, double? SklearnInertia, int? SklearnIterations, string? Note)
    {
        public double? InertiaDiffPercent => SklearnInertia is { } s ? 100 * (OursInertia - s) / s : null;
    }

    /// <summary>
    /// Trains once on the astronaut (Fast preset, k = 4), takes every pixel's 32-d code and times
    /// KMeans(4, nInit 10, seed 42) against scikit-learn's KMeans(4, n_init=10, random_state=42) on the same codes.
    /// </summary>
    private static KMeansComparison CompareKMeans(string root, bool sklearn)
    {
        const int dims = 32, k = 4;
        var image = ImageLoader.Load(Path.Combine(root, "assets", "astronaut.png"));
        float[] codes;
        using (var trained = SegmentationPipeline.Run(image, SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = k }))
            codes = SegmentationPipeline.EncodePixels(trained, image);
        int n = codes.Length / dims;

        new KMeans(k, nInit: 1, seed: 1).Fit(codes[..(4096 * dims)], dims); // JIT warm-up, not timed
        var sw = Stopwatch.StartNew();
        var ours = new KMeans(k, nInit: 10, seed: 42).Fit(codes, dims);
        double oursSeconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"k-means ours: {n}×{dims} codes, {oursSeconds:0.000} s, inertia {ours.Inertia:0.####}");

        if (!sklearn) return new("fast", n, dims, oursSeconds, ours.Inertia, ours.Iterations, null, null, null, "scikit-learn skipped");
        string file = Path.Combine(Path.GetTempPath(), $"segmenter-codes-{Environment.ProcessId}.f32");
        try
        {
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The codes file is written little-endian.");
            File.WriteAllBytes(file, MemoryMarshal.AsBytes(codes.AsSpan()).ToArray());
            string script = Path.Combine(root, "Segmenter.Bench", "peers", "kmeans_sklearn.py");
            var run = ChildProcess.Run(PythonPeer.Python, [script, file, n.ToString(CultureInfo.InvariantCulture), dims.ToString(CultureInfo.InvariantCulture),
                k.ToString(CultureInfo.InvariantCulture)], PythonPeer.Timeout);
            var json = run.ExitCode == 0 ? PythonPeer.LastJson(run.Stdout) : null;
            if (json is null)
                return new("fast", n, dims, oursSeconds, ours.Inertia, ours.Iterations, null, null, null, $"scikit-learn failed: {PythonPeer.LastLine(run.Stderr)}");
            var result = new KMeansComparison("fast", n, dims, oursSeconds, ours.Inertia, ours.Iterations,
                json["seconds"]!.GetValue<double>(), json["inertia"]!.GetValue<double>(), json["n_iter"]!.GetValue<int>(), null);
            Console.WriteLine($"k-means scikit-learn: {result.SklearnSeconds:0.000} s, inertia {result.SklearnInertia:0.####}");
            return result;
        }
        finally
        {
            File.Delete(file);
        }
    }

    // ---- targets and output ------------------------------------------------------------------------------

    private static List<Target> Targets(List<Row> rows, KMeansComparison? km, bool peers, bool quick)
    {
        var t = new List<Target>();
        var fast = rows.FirstOrDefault(r => r.Label == "astronaut" && r.Preset == "fast");
        var original = rows.FirstOrDefault(r => r.Label == "astronaut" && r.Preset == "original");
        string skipped = quick ? "skipped (--quick)" : "skipped (no Python peer)";

        void Add(string name, string goal, double? value, Func<double, bool> ok, string format)
            => t.Add(new(name, goal, value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : skipped, value is { } x ? ok(x) : null));

        Add("Fast astronaut total", "≤ 3 s", fast?.Timing("totalSeconds"), v => v <= 3, "0.00 's'");
        Add("Fast astronaut first epoch", "≤ 1 s", fast?.Timing("firstEpochSeconds"), v => v <= 1, "0.00 's'");
        Add("Fast astronaut vs Python 30-epoch pipeline", "≥ 50× faster", Ratio(fast), v => v >= 50, "0.0'×'");
        Add("Fast astronaut final loss vs Python", "≤ Python's", LossMargin(fast), v => v <= 0, "+0.000000;-0.000000");
        Add("Original astronaut vs Python", "≥ 3× faster", Ratio(original), v => v >= 3, "0.0'×'");
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
        Add("24 MP peak working set", "≤ 2048 MB", big?.Number("peakWorkingSetMb"), v => v <= 2048, "0 'MB'");
        Add("24 MP total", "≤ 30 s", big?.Timing("totalSeconds"), v => v <= 30, "0.00 's'");
        return t;
    }

    private static double? Ratio(Row? r) => r?.Peer?.TotalSeconds is { } py && r.Timing("totalSeconds") is { } ours && ours > 0 ? py / ours : null;

    private static double? LossMargin(Row? r) => r?.Peer?.FinalLoss is { } py && r.Number("finalLoss") is { } ours ? ours - py : null;

    private static string Table(List<Row> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| image | preset | k | decode s | train s | encode s | cluster s | render s | total s | 1st epoch s | peak MB | final loss | inertia | ARI | py total s | py loss | py ARI | py/ours |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            if (r.Error is not null)
            {
                sb.AppendLine($"| {r.Label} | {r.Preset} | {r.K} | failed: {r.Error.ReplaceLineEndings(" ")} |||||||||||||||");
                continue;
            }
            string F(double? v, string f) => v is { } x ? x.ToString(f, CultureInfo.InvariantCulture) : "–";
            sb.AppendLine(string.Join(" | ",
                $"| {r.Label}", r.Preset, r.K.ToString(CultureInfo.InvariantCulture),
                F(r.Timing("decodeSeconds"), "0.00"), F(r.Timing("trainSeconds"), "0.00"), F(r.Timing("encodeSeconds"), "0.00"),
                F(r.Timing("clusterSeconds"), "0.00"), F(r.Timing("renderSeconds"), "0.00"), F(r.Timing("totalSeconds"), "0.00"),
                F(r.Timing("firstEpochSeconds"), "0.00"), F(r.Number("peakWorkingSetMb"), "0"), F(r.Number("finalLoss"), "0.000000"),
                F(r.Number("inertia"), "0.###"), F(r.Ari, "0.000"),
                r.Peer?.Error is { } pe ? $"failed: {pe}" : F(r.Peer?.TotalSeconds, "0.0"),
                F(r.Peer?.FinalLoss, "0.000000"), F(r.Peer?.Ari, "0.000"), F(Ratio(r), "0.0") + " |"));
        }
        sb.Append("Times are the pipeline's own (decode → render, in a fresh child process); peak MB is that process's VmHWM.");
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

    private static JsonNode? LastJson(string stdout) =>
        stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{')) is { } line ? JsonNode.Parse(line) : null;

    private static string LastLine(string text) => text.Trim().Split('\n').LastOrDefault()?.Trim() ?? "";

    internal static string Slug(string label) => new(label.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
}
