using System.Diagnostics;
using Segmenter.Bench.Corpus;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Bench;

/// <summary>
/// hostile: generates the hostile-upload corpus and runs every file through the engine (decode, then a one-epoch
/// segmentation when it decodes), printing a Markdown table of file, expected, outcome, the decode's milliseconds and
/// the whole file's. Target: every file decoded or refused within <see cref="DecodeTarget"/> (a bomb that is decoded
/// in full, a header believed before the budget check, every frame of an animation would each take far longer).
/// </summary>
internal static class HostileCommand
{
    public static readonly TimeSpan DecodeTarget = TimeSpan.FromSeconds(2);

    public static int Run(string[] args)
    {
        if (CommandLine.ParseOptionsOnly("hostile", args, ["--out"], []) is not { } cl) return Program.Ok;
        var dir = cl.String("--out") ?? Path.Combine(Path.GetTempPath(), "segmenter-hostile");
        var files = HostileCorpus.Write(dir);
        var quick = SegmentationParameters.ForPreset(Preset.Fast) with { Epochs = 1, Clusters = 2 };
        int surprises = 0, slow = 0;
        Console.WriteLine("| file | expected | outcome | decode ms | ms |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var file in files)
        {
            var clock = Stopwatch.StartNew();
            string outcome;
            bool loaded = false;
            TimeSpan? decoded = null;
            try
            {
                var image = ImageLoader.Load(Path.Combine(dir, file.Name));
                decoded = clock.Elapsed;
                loaded = true;
                if (image.PixelCount < quick.Clusters) outcome = $"decoded {image.Width}×{image.Height}; too few pixels to segment";
                else
                {
                    using var model = SegmentationPipeline.Run(image, quick).Model;
                    outcome = $"segmented {image.Width}×{image.Height}";
                }
            }
            catch (ImageRejectedException e) { decoded = clock.Elapsed; outcome = "refused: " + e.Message; }
            catch (ArgumentException e) when (loaded) { outcome = $"decoded; not segmented: {e.Message}"; }
            if (loaded != (file.Expected == HostileOutcome.Loads)) surprises++;
            if (decoded > DecodeTarget) slow++;
            Console.WriteLine($"| {file.Name} | {(file.Expected == HostileOutcome.Loads ? "loads" : "refused")} | {outcome.Replace("|", "\\|")} | " +
                              $"{decoded?.TotalMilliseconds:0} | {clock.Elapsed.TotalMilliseconds:0} |");
        }
        Console.WriteLine($"\n{files.Count} files, {surprises} not as expected, {slow} decoded or refused in more than {DecodeTarget.TotalSeconds:0} s (target: none).");
        return surprises == 0 && slow == 0 ? Program.Ok : Program.Failed;
    }
}
