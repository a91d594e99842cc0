using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Bench;

/// <summary><c>segment IMAGE --clusters K … --out DIR</c>: one run, its label map, its rendering and its report.</summary>
internal static class SegmentCommand
{
    private static readonly string[] ValueOptions =
        ["--clusters", "--preset", "--epochs", "--heads", "--window", "--batch", "--lr", "--seed", "--out"];

    public static int Run(string[] args)
    {
        var cl = CommandLine.Parse(args, ValueOptions, ["--help", "--preview"]);
        if (cl.Flag("--help"))
        {
            Console.WriteLine(Program.Usage);
            return Program.Ok;
        }
        if (cl.Positionals.Count != 1)
            throw new UsageException(cl.Positionals.Count == 0 ? "segment needs an IMAGE." : $"segment takes one IMAGE; got {cl.Positionals.Count}.");
        string imagePath = cl.Positionals[0];
        var p = Parameters(cl);
        string outDir = cl.Required("--out", "DIR");

        p.Validate(long.MaxValue); // option mistakes are reported before the image is read; the pixel count is checked after decoding
        using var stream = Open(imagePath);
        Directory.CreateDirectory(outDir);

        Console.WriteLine($"{Path.GetFileName(imagePath)}: {p.Preset.ToString().ToLowerInvariant()} preset, k={p.Clusters}, " +
                          $"{p.Epochs} epochs, batch {p.BatchSize}, lr {p.LearningRate}, heads {p.Heads}, window {p.Window}, seed {p.Seed}");
        // --preview: make the page's live previews too, to see what they cost the training.
        var previews = new List<PreviewFrame>();
        using var result = SegmentationPipeline.Run(stream, ImageLimits.Default, p, e =>
        {
            if (e is PreviewReady { Frame: var frame }) previews.Add(frame);
            PrintProgress(e);
        }, preview: cl.Flag("--preview") ? LivePreviewOptions.Default : null);

        using (var f = File.Create(Path.Combine(outDir, "labels.png")))
            ImageLoader.SaveLabelPng(result.Labels, result.Width, result.Height, f);
        using (var f = File.Create(Path.Combine(outDir, "segmented.png")))
            ImageLoader.SavePng(result.RenderMeanColours(), f);
        double peakMb = Memory.PeakWorkingSetMb();
        File.WriteAllText(Path.Combine(outDir, "report.json"), RunReport.ToJson(result, peakMb, Path.GetFullPath(imagePath)));

        PrintSummary(result, peakMb, outDir);
        if (cl.Flag("--preview"))
            Console.WriteLine($"  live previews: {previews.Count}, {previews.Sum(f => f.Seconds):0.000} s in all " +
                              $"({previews.Sum(f => f.Seconds) / result.Timings.TrainSeconds:P1} of training)");
        return Program.Ok;
    }

    /// <summary>The preset's values, then every option given on top.</summary>
    internal static SegmentationParameters Parameters(CommandLine cl)
    {
        var preset = (cl.String("--preset") ?? "fast").ToLowerInvariant() switch
        {
            "fast" => Preset.Fast,
            "original" => Preset.Original,
            var other => throw new UsageException($"--preset must be 'fast' or 'original'; got '{other}'."),
        };
        int clusters = cl.Int("--clusters") ?? throw new UsageException("--clusters K is required.");
        var p = SegmentationParameters.ForPreset(preset) with { Clusters = clusters };
        if (cl.Int("--epochs") is { } epochs) p = p with { Epochs = epochs };
        if (cl.Int("--heads") is { } heads) p = p with { Heads = heads };
        if (cl.Int("--window") is { } window) p = p with { Window = window };
        if (cl.Int("--batch") is { } batch) p = p with { BatchSize = batch };
        if (cl.Double("--lr") is { } lr) p = p with { LearningRate = lr };
        if (cl.Int("--seed") is { } seed) p = p with { Seed = seed };
        return p;
    }

    private static FileStream Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81_920);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ImageRejectedException($"The file '{path}' could not be opened: {e.Message}", e);
        }
    }

    private static void PrintProgress(PipelineEvent e)
    {
        if (e is EpochCompleted { Loss: var l })
            Console.WriteLine($"  epoch {l.Epoch,3}/{l.TotalEpochs}  loss {l.Loss:0.000000}  ({l.ElapsedSeconds:0.00} s)");
    }

    private static void PrintSummary(SegmentationResult r, double peakMb, string outDir)
    {
        var t = r.Timings;
        Console.WriteLine($"{r.Width}×{r.Height}: final loss {r.FinalLoss:0.000000}, inertia {r.Inertia:0.###}, k-means {r.KMeansIterations} iterations");
        Console.WriteLine($"  decode {t.DecodeSeconds:0.00} s, train {t.TrainSeconds:0.00} s, encode {t.EncodeSeconds:0.00} s, " +
                          $"cluster {t.ClusterSeconds:0.00} s, render {t.RenderSeconds:0.00} s; total {t.TotalSeconds:0.00} s " +
                          $"(first epoch at {t.FirstEpochSeconds:0.00} s); peak working set {peakMb:0} MB");
        foreach (var c in r.Clusters)
            Console.WriteLine($"  cluster {c.Index}: {c.Share,6:P1}  {c.Hex}");
        Console.WriteLine($"wrote {Path.Combine(outDir, "labels.png")}, segmented.png, report.json");
    }
}
