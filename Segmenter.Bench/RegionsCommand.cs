using System.Diagnostics;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Web.Services;
using Microsoft.Extensions.Logging.Abstractions;

namespace Segmenter.Bench;

/// <summary>
/// <c>regions IMAGE [--clusters K] [--repeat N]</c>: what segments = regions costs on one image. One Fast run trains;
/// then, on its trained model, the k-means clustering at K, the first regions cut at K (which builds the region tree)
/// on a fresh copy of the model's tree cache, and re-cuts at every count the tree allows, each timed as wall time of the
/// engine call (labels, table and plot included); a slider's re-cut is also timed with the images the page publishes
/// drawn (mean colours, PNG, thumbnail), its server time before the page shows it. A Markdown table on stdout.
/// </summary>
internal static class RegionsCommand
{
    public static int Run(string[] args)
    {
        var cl = CommandLine.Parse(args, ["--clusters", "--repeat"], ["--help"]);
        if (cl.Flag("--help") || cl.Positionals.Count != 1) { Console.WriteLine(Program.Usage); return cl.Flag("--help") ? Program.Ok : Program.BadInput; }
        int k = cl.Int("--clusters") ?? 6, repeat = cl.Int("--repeat") ?? 3;
        var image = ImageLoader.Load(cl.Positionals[0]);
        var p = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = k };
        double[] clusters = new double[repeat], firstCut = new double[repeat];
        var recuts = new List<double>();
        var shown = new List<double>();
        int available = 0;
        for (int r = 0; r < repeat; r++)
        {
            var run = SegmentationPipeline.Run(image, p);
            using var model = run.Model!;
            clusters[r] = Time(() => model.Cluster(p));
            firstCut[r] = Time(() => available = model.Cluster(p with { Segments = Segments.Regions }).RegionsAvailable ?? 0);
            for (int count = SegmentationParameters.MinClusters; count <= available; count++)
            {
                SegmentationResult? recut = null;
                double cut = Time(() => recut = model.Cluster(p with { Segments = Segments.Regions, Clusters = count }));
                recuts.Add(cut);
                shown.Add(cut + Time(() => PublishedImages.Draw(recut!, NullLogger.Instance)));
            }
        }
        Console.WriteLine($"| image | size | k | clusters (k-means) s | regions, first cut (tree built) s | regions add s | re-cut median ms | re-cut max ms | re-cut drawn median ms | re-cut drawn max ms | counts |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine($"| {Path.GetFileName(cl.Positionals[0])} | {image.Width}×{image.Height} | {k} | {Median(clusters):F3} | {Median(firstCut):F3} | " +
                          $"{Median(firstCut) - Median(clusters):F3} | {1000 * Median([.. recuts]):F1} | {1000 * recuts.Max():F1} | " +
                          $"{1000 * Median([.. shown]):F1} | {1000 * shown.Max():F1} | 2–{available} |");
        return Program.Ok;
    }

    private static double Time(Action a)
    {
        var sw = Stopwatch.StartNew();
        a();
        return sw.Elapsed.TotalSeconds;
    }

    private static double Median(double[] v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
