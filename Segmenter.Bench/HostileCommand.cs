using System.Diagnostics;
using Segmenter.Bench.Corpus;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Bench;

/// <summary>
/// hostile: generates the hostile-upload corpus and runs every file through the engine (decode, then a one-epoch
/// segmentation when it decodes), printing a Markdown table of file, expected, outcome and milliseconds.
/// </summary>
internal static class HostileCommand
{
    public static int Run(string[] args)
    {
        if (CommandLine.ParseOptionsOnly("hostile", args, ["--out"], []) is not { } cl) return Program.Ok;
        var dir = cl.String("--out") ?? Path.Combine(Path.GetTempPath(), "segmenter-hostile");
        var files = HostileCorpus.Write(dir);
        var quick = SegmentationParameters.ForPreset(Preset.Fast) with { Epochs = 1, Clusters = 2 };
        int surprises = 0;
        Console.WriteLine("| file | expected | outcome | ms |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var file in files)
        {
            var clock = Stopwatch.StartNew();
            string outcome;
            bool loaded = false;
            try
            {
                var image = ImageLoader.Load(Path.Combine(dir, file.Name));
                loaded = true;
                if (image.PixelCount < quick.Clusters) outcome = $"decoded {image.Width}×{image.Height}; too few pixels to segment";
                else
                {
                    using var model = SegmentationPipeline.Run(image, quick).Model;
                    outcome = $"segmented {image.Width}×{image.Height}";
                }
            }
            catch (ImageRejectedException e) { outcome = "refused: " + e.Message; }
            catch (ArgumentException e) when (loaded) { outcome = $"decoded; not segmented: {e.Message}"; }
            if (loaded != (file.Expected == HostileOutcome.Loads)) surprises++;
            Console.WriteLine($"| {file.Name} | {(file.Expected == HostileOutcome.Loads ? "loads" : "refused")} | {outcome.Replace("|", "\\|")} | {clock.ElapsedMilliseconds} |");
        }
        Console.WriteLine($"\n{files.Count} files, {surprises} not as expected.");
        return surprises == 0 ? Program.Ok : Program.Failed;
    }
}
