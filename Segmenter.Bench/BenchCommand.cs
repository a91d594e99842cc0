using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;

namespace Segmenter.Bench;

/// <summary>
/// <c>bench [--quick | --big-only] [--out DIR]</c>: our pipeline on the sample image, the synthetic fixtures and a generated
/// 24-megapixel image, each run in its own child process (so the peak working set is that run's alone), beside
/// the Python peer (the original system's algorithm) on the same images; then k-means alone against scikit-learn
/// on identical codes. Prints a Markdown table and the targets, writes DIR/bench-results.json.
/// </summary>
internal static partial class BenchCommand
{
    private static readonly TimeSpan OurTimeout = TimeSpan.FromMinutes(10);
    private const string BigLabel = "generated 24 MP";

    private sealed class Row
    {
        public required string Label { get; init; }
        public required string ImagePath { get; init; }
        public required string Preset { get; init; }
        public required int K { get; init; }
        /// <summary>Options beside the preset (e.g. the pixel model's <c>--window 1</c>), shown after the preset's name.</summary>
        public string[] ExtraArgs { get; init; } = [];
        /// <summary>How many times the row is run; its figures are then the run with the median total (see <see cref="Runs"/>).</summary>
        public int Repeats { get; init; } = 1;
        public string? GroundTruth { get; init; }
        public bool WantsPeer { get; init; }
        public JsonNode? Report { get; set; }
        public double ProcessSeconds { get; set; }
        public double? Ari { get; set; }
        public string? Error { get; set; }
        public PeerResult? Peer { get; set; }
        /// <summary>Every run's report, in the order they ran; <see cref="Report"/> is the one with the median total.</summary>
        public List<JsonNode> Runs { get; } = [];

        /// <summary>The preset as the tables show it, with the extra options: "fast", "fast --window 1".</summary>
        public string Setup => ExtraArgs.Length == 0 ? Preset : $"{Preset} {string.Join(' ', ExtraArgs)}";
        public List<double> Totals => [.. Runs.Select(TotalOf)];
        /// <summary>The highest peak working set over the row's runs: a memory target is judged on the worst run.</summary>
        public double? MaxPeakMb => Runs.Count == 0 ? null : Runs.Max(PeakOf);

        public static double TotalOf(JsonNode report) => report["timings"]!["totalSeconds"]!.GetValue<double>();
        public static double PeakOf(JsonNode report) => report["peakWorkingSetMb"]!.GetValue<double>();

        public double? Timing(string name) => Report?["timings"]?[name]?.GetValue<double>();
        public double? Number(string name) => Report?[name]?.GetValue<double>();
    }

    private sealed record PeerResult(double? TotalSeconds, double? FinalLoss, double? Ari, string? Error);

    private sealed record Target(string Name, string Goal, string Measured, bool? Met);

    public static int Run(string[] args)
    {
        if (CommandLine.ParseOptionsOnly("bench", args, ["--out"], ["--quick", "--big-only"]) is not { } cl) return Program.Ok;
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
            // Repeated rows run in rounds, so that the machine's drift during the bench falls on each of them alike.
            for (int round = 0; round < rows.Max(r => r.Repeats); round++)
            {
                foreach (var row in rows.Where(r => r.Repeats > round && r.Error is null))
                {
                    RunOurs(row, runsDir, round);
                    Console.WriteLine(row.Error is null
                        ? $"ours  {row.Label} [{row.Setup}]{(row.Repeats > 1 ? $" run {round + 1}/{row.Repeats}" : "")}: total {Row.TotalOf(row.Runs[^1]):0.00} s, peak {Row.PeakOf(row.Runs[^1]):0} MB, loss {row.Number("finalLoss"):0.000000}{(row.Ari is { } a ? $", ARI {a:0.000}" : "")}"
                        : $"ours  {row.Label} [{row.Setup}]: FAILED — {row.Error}");
                }
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

            string path = WriteReport(rows, kmeans, peers, quick, pythonNote, clock.Elapsed.TotalSeconds, outDir);
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
        // The default and its own pixel model (window 1), each timed as the median of three runs: the targets are the
        // default's total and its ratio to the pixel model, measured in the same bench so the machine's load cancels.
        int repeats = quick ? 1 : 3;
        var rows = new List<Row>
        {
            new() { Label = "astronaut", ImagePath = astronaut, Preset = "fast", K = 4, WantsPeer = peers, Repeats = repeats },
            new() { Label = "astronaut", ImagePath = astronaut, Preset = "fast", ExtraArgs = ["--window", "1"], K = 4, Repeats = repeats },
        };
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
            rows.Add(new() { Label = BigLabel, ImagePath = big, Preset = "fast", K = 6, Repeats = repeats });
        }
        return rows;
    }

    /// <summary>Where a row's run keeps its output: <c>{image}-{setup}</c>, and <c>-run2</c>, <c>-run3</c> for its repeats.</summary>
    internal static string RunDirName(string label, string setup, int round) => $"{Slug(label)}-{Slug(setup)}{(round == 0 ? "" : $"-run{round + 1}")}";

    /// <summary>Runs the row once more in a fresh child process; its figures become those of its median run so far.</summary>
    private static void RunOurs(Row row, string runsDir, int round)
    {
        string dir = Path.Combine(runsDir, RunDirName(row.Label, row.Setup, round));
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var (exe, prefix) = ChildProcess.Self();
        var run = ChildProcess.Run(exe,
            [.. prefix, "segment", row.ImagePath, "--clusters", row.K.ToString(CultureInfo.InvariantCulture),
             "--preset", row.Preset, .. row.ExtraArgs, "--out", dir],
            OurTimeout);
        row.ProcessSeconds = run.Seconds;
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(dir).FullName, "stdout.txt"), run.Stdout + run.Stderr);
        if (run.ExitCode != 0)
        {
            row.Error = run.TimedOut ? $"timed out after {OurTimeout.TotalMinutes} min" : $"exit {run.ExitCode}: {run.Stderr.Trim()}";
            return;
        }
        row.Runs.Add(JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!);
        // The median run by total (the lower middle of an even count): its stages, loss and labels are the row's.
        int median = row.Totals.Select((total, i) => (total, i)).OrderBy(t => t.total).ElementAt((row.Runs.Count - 1) / 2).i;
        row.Report = row.Runs[median];
        if (row.GroundTruth is not null)
        {
            string medianDir = Path.Combine(runsDir, RunDirName(row.Label, row.Setup, median));
            row.Ari = Agreement.AdjustedRandIndex(LabelMaps.Read(row.GroundTruth), LabelMaps.Read(Path.Combine(medianDir, "labels.png")));
        }
    }

    private static PeerResult RunPeer(Row row, string runsDir)
    {
        string labels = Path.Combine(runsDir, $"{Slug(row.Label)}-python-labels.png");
        var run = PythonPeer.RunOriginal(Path.Combine(RepoPaths.Shared, "peers"), row.ImagePath, row.K, labels);
        if (run.Error is not null) return new(null, null, null, run.Error);
        double? ari = row.GroundTruth is null ? null : Agreement.AdjustedRandIndex(LabelMaps.Read(row.GroundTruth), LabelMaps.Read(labels));
        return new(run.TotalSeconds, run.FinalLoss, ari, null);
    }

    /// <summary>A name for a folder: lower-case letters and digits, every other run of characters one dash ("fast --window 1" → "fast-window-1").</summary>
    internal static string Slug(string label) =>
        System.Text.RegularExpressions.Regex.Replace(label.ToLowerInvariant(), "[^\\p{L}\\p{Nd}]+", "-").Trim('-');
}
