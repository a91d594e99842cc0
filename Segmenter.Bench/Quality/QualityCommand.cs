using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Bench.Quality;

/// <summary>
/// <c>quality</c>: every method (<see cref="QualityMethods"/>) on the scenes (ARI against their truth at the true k)
/// and, with <c>--photos</c>, on annotated photos (mean ARI over the annotators and PRI, at the annotators' median
/// segment count). One Markdown table per set on stdout, progress on stderr, everything in
/// DIR/quality-results.json.
/// </summary>
internal static class QualityCommand
{
    public const string ResultsFile = "quality-results.json";

    private static readonly string[] ValueOptions = ["--scenes", "--photos", "--limit", "--methods", "--seeds", "--repeat", "--peers", "--out"];

    public static int Run(string[] args)
    {
        var cl = CommandLine.Parse(args, ValueOptions, ["--help"]);
        if (cl.Flag("--help")) { Console.WriteLine(Program.Usage); return Program.Ok; }
        if (cl.Positionals.Count > 0) throw new UsageException($"quality takes no positional argument; got '{cl.Positionals[0]}'.");
        int[] seeds = ParseSeeds(cl.String("--seeds") ?? "42");
        int repeat = cl.Int("--repeat") ?? 1;
        if (repeat < 1) throw new UsageException($"--repeat must be at least 1; got {repeat}.");
        string outDir = Path.GetFullPath(cl.String("--out") ?? Directory.GetCurrentDirectory());

        string peersDir = Path.GetFullPath(cl.String("--peers") ?? Path.Combine(RepoPaths.Shared, "peers"));
        var methods = Select(QualityMethods.All(peersDir), cl.String("--methods"), out bool originalAsked);
        string? peerNote = null;
        if (methods.Any(m => m.Id == QualityMethods.Original))
        {
            peerNote = File.Exists(Path.Combine(peersDir, PythonPeer.OriginalScript))
                ? PythonPeer.Unavailable()
                : $"{Path.Combine(peersDir, PythonPeer.OriginalScript)} not found; the Python original's row is skipped.";
            if (peerNote is not null) methods.RemoveAll(m => m.Id == QualityMethods.Original);
        }
        if (peerNote is not null && originalAsked && methods.Count == 0) throw new UsageException(peerNote);

        string scenes = cl.String("--scenes") ?? SceneFolder.Generated;
        string? photos = cl.String("--photos");
        var tables = new List<QualityTable>();
        var clock = Stopwatch.StartNew();
        Console.Error.WriteLine($"quality: {methods.Count} methods, seeds {string.Join(',', seeds)}, repeat {repeat}, {Environment.ProcessorCount} cores");

        if (scenes != "none")
        {
            bool generated = scenes == SceneFolder.Generated;
            string folder = scenes, mosaicSet = scenes == SceneFolder.Textures ? "eval" : "tune";
            if (SceneFolder.TextureSets.Contains(scenes))
            {
                folder = Path.Combine(outDir, "texture-mosaics-" + mosaicSet);
                PythonPeer.WriteMosaics(folder, mosaicSet);
            }
            var set = generated ? SceneFolder.Generate() : SceneFolder.Load(folder);
            string source = generated ? $"generated, scene seed {Scenes.SceneGenerator.StandardSeed}"
                : folder != scenes ? $"natural-texture mosaics, {PythonPeer.MosaicScript} --set {mosaicSet}, in {folder}" : scenes;
            var table = new QualityTable("scene", $"Scenes ({source}): ARI against the truth at the true k", hasPri: false);
            Score(table, methods, seeds, repeat, set.Select(s => (s.Input, (Func<int[], (double, double?)>)(labels =>
                (Agreement.AdjustedRandIndex(s.Truth, labels), null)))));
            tables.Add(table);
        }
        if (photos is not null)
        {
            var found = AnnotatedPhoto.Find(photos, cl.Int("--limit"));
            var table = new QualityTable("photo",
                $"Photos ({photos}, {found.Count}): mean ARI over the annotators and PRI, at k = their median segment count " +
                $"clamped to {AnnotatedPhoto.MinClusters}–{AnnotatedPhoto.MaxClusters}", hasPri: true);
            Score(table, methods, seeds, repeat, found.Select(LoadPhoto));
            tables.Add(table);
        }
        if (tables.Count == 0) throw new UsageException("Nothing to score: --scenes none and no --photos DIR.");

        Console.WriteLine($"# Segmenter quality, seeds {string.Join(", ", seeds)}, times median of {repeat}, {Environment.ProcessorCount} cores");
        if (peerNote is not null) Console.WriteLine($"note: {peerNote}");
        foreach (var table in tables)
        {
            Console.WriteLine();
            Console.WriteLine(table.ToMarkdown());
        }

        var json = new JsonObject
        {
            ["generatedUtc"] = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
            ["machine"] = new JsonObject { ["cores"] = Environment.ProcessorCount, ["os"] = RuntimeInformation.OSDescription },
            ["seeds"] = new JsonArray(seeds.Select(s => (JsonNode)s).ToArray()),
            ["repeat"] = repeat,
            ["peerNote"] = peerNote,
            ["seconds"] = clock.Elapsed.TotalSeconds,
        };
        foreach (var table in tables) json[table.Kind + "s"] = table.ToJson();
        Directory.CreateDirectory(outDir);
        string path = Path.Combine(outDir, ResultsFile);
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine();
        Console.WriteLine($"wrote {path} ({clock.Elapsed.TotalSeconds:0} s in all)");
        return tables.Any(t => t.Rows.Any(r => r.Errors.Count > 0)) ? Program.Failed : Program.Ok;
    }

    /// <summary>Each input, then each method, seed and repeat; runs whose parameters equal an earlier row's are reused, not repeated.</summary>
    private static void Score(QualityTable table, List<QualityMethod> methods, int[] seeds, int repeat,
        IEnumerable<(QualityInput Input, Func<int[], (double Ari, double? Pri)> Score)> inputs)
    {
        table.Rows.AddRange(methods.Select(m => new QualityRow(m)));
        foreach (var (input, score) in inputs)
        {
            table.Inputs.Add((input.Name, input.Clusters, input.Image.Width, input.Image.Height));
            foreach (var row in table.Rows)
            {
                var same = table.Rows.TakeWhile(r => r != row).FirstOrDefault(r => SameRun(r.Method, row.Method, input.Clusters, seeds[0]));
                if (same is not null)
                {
                    row.SameAs = same.Method.Id;
                    if (same.ByInput.TryGetValue(input.Name, out var reused)) row.ByInput[input.Name] = reused;
                    if (same.Errors.TryGetValue(input.Name, out var error)) row.Errors[input.Name] = error;
                    continue;
                }
                try
                {
                    var measurements = row.ByInput[input.Name] = [];
                    foreach (int seed in seeds)
                    {
                        var (labels, seconds) = Timed(() => row.Method.Segment(input, seed), repeat);
                        var (ari, pri) = score(labels);
                        measurements.Add(new Measurement(seed, ari, pri, seconds));
                        Console.Error.WriteLine($"  {input.Name} k={input.Clusters} {row.Method.Id} seed {seed}: ARI {ari:0.000}" +
                                                (pri is { } p ? $", PRI {p:0.000}" : "") + $", {seconds:0.00} s");
                    }
                }
                catch (Exception e) when (e is PeerFailedException or TrainingFailedException or ArgumentException or InvalidDataException)
                {
                    row.ByInput.Remove(input.Name);
                    row.Errors[input.Name] = e.Message;
                    Console.Error.WriteLine($"  {input.Name} {row.Method.Id}: FAILED — {e.Message}");
                }
            }
        }
    }

    private static bool SameRun(QualityMethod a, QualityMethod b, int k, int seed) =>
        a.Parameters is not null && b.Parameters is not null && a.Parameters(k, seed) == b.Parameters(k, seed);

    /// <summary>The labels of the first run and the median wall time of <paramref name="repeat"/> runs.</summary>
    private static (int[] Labels, double Seconds) Timed(Func<int[]> run, int repeat)
    {
        int[]? first = null;
        var times = new double[repeat];
        for (int r = 0; r < repeat; r++)
        {
            var sw = Stopwatch.StartNew();
            var labels = run();
            times[r] = sw.Elapsed.TotalSeconds;
            first ??= labels;
        }
        Array.Sort(times);
        return (first!, repeat % 2 == 1 ? times[repeat / 2] : (times[repeat / 2 - 1] + times[repeat / 2]) / 2);
    }

    private static (QualityInput, Func<int[], (double, double?)>) LoadPhoto(AnnotatedPhoto photo)
    {
        var image = ImageLoader.Load(photo.ImagePath);
        var annotators = photo.ReadAnnotators(image.Width, image.Height);
        var input = new QualityInput(photo.Name, image, AnnotatedPhoto.ClustersFor(annotators), photo.ImagePath);
        return (input, labels => (annotators.Average(a => Agreement.AdjustedRandIndex(a, labels)),
                                  Agreement.ProbabilisticRandIndex(labels, annotators)));
    }

    private static List<QualityMethod> Select(List<QualityMethod> all, string? list, out bool originalAsked)
    {
        originalAsked = list is not null && list.Split(',').Contains(QualityMethods.Original);
        if (list is null) return all;
        var ids = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = ids.Where(id => all.All(m => m.Id != id)).ToList();
        if (unknown.Count > 0)
            throw new UsageException($"Unknown method '{unknown[0]}' in --methods. Methods: {string.Join(", ", all.Select(m => m.Id))}.");
        return all.Where(m => ids.Contains(m.Id)).ToList();
    }

    private static int[] ParseSeeds(string list)
    {
        var seeds = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
            int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) ? v
            : throw new UsageException($"--seeds expects whole numbers separated by commas; got '{s}'.")).Distinct().ToArray();
        return seeds.Length > 0 ? seeds : throw new UsageException("--seeds needs at least one seed.");
    }
}
