using System.Diagnostics;
using System.Globalization;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Bench;

/// <summary>
/// <c>capacity [--runs N] [--levels 1,2,4]</c>: what one server instance serves. Runs the app's default job (the
/// astronaut, Fast preset, k = 4) N times at each concurrency level in this one process, as the web app's job runner
/// would with <c>Segmenter:MaxConcurrentJobs</c> = level, and prints runs per minute and seconds per run. Levels default
/// to 1, 2 and the core count (repeat levels to interleave them); the app's default concurrency is chosen from this table.
/// </summary>
internal static class CapacityCommand
{
    public static int Run(string[] args)
    {
        if (CommandLine.ParseOptionsOnly("capacity", args, ["--runs", "--levels"], []) is not { } cl) return Program.Ok;
        int runs = cl.Int("--runs") ?? 8;
        if (runs < 1) throw new UsageException($"--runs must be at least 1; got {runs}.");
        var levels = (cl.String("--levels") is { } s
                ? s.Split(',').Select(l => int.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 1 ? v
                    : throw new UsageException($"--levels takes whole numbers ≥ 1 separated by commas; got '{s}'."))
                : new[] { 1, 2, Environment.ProcessorCount }.Distinct())
            .ToArray(); // in the order given: "1,2,1,2" interleaves levels so a busy machine's drift shows

        var image = ImageLoader.Load(Path.Combine(RepoPaths.RequireRoot(), "assets", "astronaut.png"));
        var p = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 4 };
        Console.WriteLine($"capacity: {runs} runs per level of the astronaut ({image.Width}×{image.Height}), fast preset, k=4, " +
                          $"{Environment.ProcessorCount} cores");
        using (SegmentationPipeline.Run(image, p with { Epochs = 1 }).Model) { } // warm-up: native library, JIT

        // CPU seconds per run barely move with other programs' load (wall seconds do): if a run costs the same CPU at
        // level 2 as at level 1, concurrent runs are not fighting each other and an idle machine's throughput scales.
        Console.WriteLine("| concurrent runs | runs | wall s | runs per minute | mean s per run | CPU s per run |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var process = Process.GetCurrentProcess();
        foreach (int level in levels)
        {
            int next = 0;
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var perRun = new double[runs];
            var clock = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, level).Select(_ => Task.Factory.StartNew(() =>
            {
                for (int i; (i = Interlocked.Increment(ref next) - 1) < runs;)
                {
                    var one = Stopwatch.StartNew();
                    using (SegmentationPipeline.Run(image, p).Model) { }
                    perRun[i] = one.Elapsed.TotalSeconds;
                }
            }, TaskCreationOptions.LongRunning)).ToArray();
            Task.WaitAll(workers);
            double wall = clock.Elapsed.TotalSeconds;
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds / runs;
            Console.WriteLine($"| {level} | {runs} | {wall:0.0} | {runs / wall * 60:0.0} | {perRun.Average():0.00} | {cpu:0.00} |");
        }
        return Program.Ok;
    }
}
