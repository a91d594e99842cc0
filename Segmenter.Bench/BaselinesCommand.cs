using System.Diagnostics;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;

namespace Segmenter.Bench;

/// <summary>
/// What the colour baselines computed beside every run cost (<see cref="BaselineView.Beside"/>, the same call the
/// app and the API make): seconds for both baselines at k, each repetition timed alone, against a run's labels,
/// alternating with a default (Fast preset) run of the same image so that the ratio holds on a busy machine.
/// </summary>
internal static class BaselinesCommand
{
    public static int Run(string[] args)
    {
        var cl = CommandLine.Parse(args, ["--clusters", "--repeat", "--seed"], ["--help"]);
        if (cl.Flag("--help") || cl.Positionals.Count != 1)
        {
            Console.WriteLine(Program.Usage);
            return cl.Flag("--help") ? Program.Ok : Program.BadInput;
        }
        int k = cl.Int("--clusters") ?? 4, repeat = cl.Int("--repeat") ?? 3, seed = cl.Int("--seed") ?? 42;
        using var stream = File.OpenRead(cl.Positionals[0]);
        var image = ImageLoader.Load(stream, ImageLimits.Default);
        var parameters = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = k, Seed = seed };
        Console.WriteLine($"{Path.GetFileName(cl.Positionals[0])} {image.Width}×{image.Height}, k = {k}, {BaselineView.Restarts} restarts each");
        for (int r = 1; r <= repeat; r++)
        {
            var clock = Stopwatch.StartNew();
            var run = SegmentationPipeline.Run(image, parameters);
            using var model = run.Model;
            double runSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var views = BaselineView.Beside(image, run.Labels, k, seed, parameters.MaxPixels);
            double baselineSeconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"run {r}: default run {runSeconds:F2} s, both baselines {baselineSeconds:F2} s ({baselineSeconds / runSeconds:P0} of the run); " +
                string.Join(", ", views.Select(v => $"{v.Name} ARI with the run {v.AriWithRun:F3}")));
        }
        return Program.Ok;
    }
}
