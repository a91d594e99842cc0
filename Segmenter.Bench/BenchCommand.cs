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

    internal static string Slug(string label) => new(label.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
}
