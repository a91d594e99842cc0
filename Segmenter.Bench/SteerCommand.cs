using System.Diagnostics;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;

namespace Segmenter.Bench;

/// <summary>
/// <c>steer</c>: how long hand steering takes on the 512² astronaut once its per-pixel codes exist (Fast preset, k = 4):
/// re-clustering with two horizontal strokes, a merge of two clusters, a split into 3, and showing an edit as a result
/// (clusters summarised, plot points), and a re-cluster to k = 6. Target: each ≤ 1 s. Last, because it changes the
/// model: the stroke fine-tune of the default epochs (training, so no 1 s target), beside one training epoch's time.
/// </summary>
internal static class SteerCommand
{
    public static int Run(string[] args)
    {
        var cl = CommandLine.Parse(args, [], ["--help"]);
        if (cl.Flag("--help")) { Console.WriteLine(Program.Usage); return Program.Ok; }
        var image = ImageLoader.Load(Path.Combine(RepoPaths.RequireRoot(), "assets", "astronaut.png"));
        var p = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 4 };
        var result = SegmentationPipeline.Run(image, p);
        using var model = result.Model!;
        var clock = Stopwatch.StartNew();
        var (codes, dims) = model.PixelCodes();
        double encodeSeconds = clock.Elapsed.TotalSeconds;
        var start = SteeredClusters.FromLabels(codes, dims, result.CodeLabels.Select(l => (int)l).ToArray(), result.Clusters.Count);

        var strokes = new byte[image.PixelCount];
        for (int x = image.Width / 8; x < image.Width * 7 / 8; x++)
        {
            strokes[image.Height / 4 * image.Width + x] = 1;
            strokes[image.Height * 3 / 4 * image.Width + x] = 2;
        }
        var scribbles = new Scribbles(image.Width, image.Height, strokes);
        double Time(Action a) { var sw = Stopwatch.StartNew(); a(); return sw.Elapsed.TotalSeconds; }
        // Strokes on the page and through the API: two brushes pinned, the other k − 2 clusters free.
        double recluster = Time(() => ScribbleClustering.Recluster(codes, dims, scribbles, p.Clusters, p.Seed));
        // The same with k = 2: one segment per brush, no Lloyd iterations (every pixel takes its nearest prototype's brush).
        double classify = Time(() => ScribbleClustering.Recluster(codes, dims, scribbles, 2, p.Seed));
        double merge = Time(() => ClusterEdits.Merge(start, codes, dims, [0, 1]));
        double split = Time(() => ClusterEdits.Split(start, codes, dims, 0, 3, p.Seed));
        // What the page and the API add to every edit: the edited labels shown as a result (clusters, plot points).
        var merged = ClusterEdits.Merge(start, codes, dims, [0, 1]);
        double show = Time(() => model.Relabel(result, merged, codes, dims));
        // The page's Re-cluster button: new k on the same trained codes (assignment, smoothing, summary, plot sample).
        double reclusterK = Time(() => model.Cluster(p with { Clusters = 6 }));
        // Last: it trains the network on, so every code above would change.
        var fineTune = new FineTuneSettings();
        double fineTuneSeconds = Time(() => model.FineTune(scribbles, fineTune));
        double trainingEpoch = model.EpochLosses[^1].ElapsedSeconds / model.EpochLosses.Count;
        Console.WriteLine($"steer: astronaut {image.Width}×{image.Height}, fast preset, k={p.Clusters}, {Environment.ProcessorCount} cores");
        Console.WriteLine($"| encode all pixels s | strokes, k free s | strokes, k = 2 brushes s | merge s | split into 3 s | show an edit s | re-cluster k 4→6 s | fine-tune {fineTune.Epochs} epochs + re-encode s | one training epoch s |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine($"| {encodeSeconds:F2} | {recluster:F2} | {classify:F2} | {merge:F2} | {split:F2} | {show:F2} | {reclusterK:F2} | {fineTuneSeconds:F2} | {trainingEpoch:F2} |");
        return Program.Ok;
    }
}
