using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Bench;

/// <summary>
/// <c>soak [--runs 100] [--epochs 3]</c>: many runs in one process (decode → … → render, result disposed each time),
/// to catch native or managed memory that a run leaves behind.
/// </summary>
internal static class SoakCommand
{
    public const double GrowthTargetMb = 50;

    public static int Run(string[] args)
    {
        if (CommandLine.ParseOptionsOnly("soak", args, ["--runs", "--epochs"], []) is not { } cl) return Program.Ok;
        int runs = cl.Int("--runs") ?? 100;
        if (runs < 10) throw new UsageException($"--runs must be at least 10 (growth is measured from run 10); got {runs}.");
        int epochs = cl.Int("--epochs") ?? 3;

        var p = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 4, Epochs = epochs };
        p.Validate(256 * 256);
        byte[] png = EncodePng(SyntheticImages.Regions(256, 256, regions: 5, noise: 10, seed: 7));
        Console.WriteLine($"soak: {runs} runs, fast preset with {epochs} epochs, k=4, 256×256 PNG decoded every run");

        var checkpoints = new SortedSet<int> { 1, 10, 50, runs };
        var settled = new Dictionary<int, double>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int run = 1; run <= runs; run++)
        {
            using (var stream = new MemoryStream(png, writable: false))
            {
                var result = SegmentationPipeline.Run(stream, ImageLimits.Default, p);
                using var model = result.Model;
                _ = result.RenderMeanColours();
            }
            if (checkpoints.Contains(run))
            {
                settled[run] = Memory.SettledWorkingSetMb();
                Console.WriteLine($"  after run {run,4}: working set {settled[run],7:0.0} MB  ({clock.Elapsed.TotalSeconds:0} s)");
            }
        }
        double growth = settled[runs] - settled[10];
        bool ok = growth < GrowthTargetMb;
        Console.WriteLine($"growth from run 10 to run {runs}: {growth:+0.0;-0.0} MB (target < {GrowthTargetMb} MB) — {(ok ? "met" : "NOT MET")}");
        return ok ? Program.Ok : Program.Failed;
    }

    private static byte[] EncodePng(RgbImage image)
    {
        using var ms = new MemoryStream();
        ImageLoader.SavePng(image, ms);
        return ms.ToArray();
    }
}
