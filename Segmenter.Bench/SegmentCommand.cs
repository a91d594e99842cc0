using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Bench;

/// <summary>
/// <c>segment IMAGE… --clusters K … --out DIR</c>: one image writes its label map, rendering and report into DIR;
/// several images or a folder write one folder per image and a summary CSV (<see cref="SegmentBatch"/>).
/// <c>--save-model FILE</c> keeps the trained model, <c>--model FILE</c> applies one instead of training.
/// </summary>
internal static class SegmentCommand
{
    /// <summary>Every setting's option and its older spellings, from the one list of settings.</summary>
    private static readonly string[] TrainingOptions = SettingFields.All.SelectMany(f => f.OptionAliases.Prepend(f.Option)).ToArray();
    /// <summary>The setting options for the help, wrapped: "[--preset fast|original] [--epochs N] … (old spellings: --target …)".</summary>
    internal static string SettingsHelp
    {
        get
        {
            var words = SettingFields.All.Where(f => f.LinkAlias is null).Select(f => $"[{f.Option} {f.HelpValue}]")
                .Append($"(older spellings: {string.Join(", ", SettingFields.All.SelectMany(f => f.OptionAliases.Select(a => $"{a} = {f.Option}")))})");
            var lines = new List<string> { "" };
            foreach (var w in words)
                if (lines[^1].Length + w.Length > 100) lines.Add(w); else lines[^1] = (lines[^1] + " " + w).TrimStart();
            return string.Join("\n          ", lines);
        }
    }

    internal static readonly string[] ValueOptions = [.. TrainingOptions, "--out", "--model", "--save-model", "--sweep", "--truth"];

    public static int Run(string[] args)
    {
        var cl = CommandLine.Parse(args, ValueOptions, ["--help", "--preview"]);
        if (cl.Flag("--help"))
        {
            Console.WriteLine(Program.Usage);
            return Program.Ok;
        }
        if (cl.Positionals.Count == 0) throw new UsageException("segment needs an IMAGE (or several, or a folder).");
        string? modelPath = cl.String("--model"), savePath = cl.String("--save-model");
        if (modelPath is not null && TrainingOptions.FirstOrDefault(o => cl.String(o) is not null) is { } given)
            throw new UsageException($"--model applies the saved model with its own settings; {given} cannot change them.");
        if (modelPath is not null && savePath is not null)
            throw new UsageException("--model applies a saved model without training, so there is nothing new for --save-model to save.");
        if (cl.String("--sweep") is { } sweep)
        {
            if (modelPath is not null || savePath is not null)
                throw new UsageException("--sweep trains one model per combination; it cannot be combined with --model or --save-model.");
            if (cl.Positionals.Count != 1 || Directory.Exists(cl.Positionals[0]))
                throw new UsageException("--sweep runs its grid on one IMAGE.");
            // The sweep may vary the clusters itself; otherwise --clusters is required as for one run.
            bool sweepsClusters = sweep.Split(';').Any(a => SettingFields.Find(a.Split('=')[0].Trim()) is { LinkAlias: "k" });
            var basis = Parameters(cl, requireClusters: !sweepsClusters);
            string sweepOut = cl.Required("--out", "DIR");
            SegmentSweep.Plan(sweep, basis); // every combination is checked before the image is read
            return SegmentSweep.Run(cl.Positionals[0], sweep, basis, sweepOut, cl.String("--truth"));
        }
        if (cl.String("--truth") is not null) throw new UsageException("--truth scores the runs of a --sweep against a ground truth; give --sweep too.");
        var p = modelPath is null ? Parameters(cl) : null;
        string outDir = cl.Required("--out", "DIR");
        p?.Validate(long.MaxValue); // option mistakes are reported before any image is read; the pixel count is checked after decoding

        var inputs = SegmentBatch.Expand(cl.Positionals);
        if (savePath is not null && inputs.Count != 1)
            throw new UsageException($"--save-model saves the model trained on one image; got {inputs.Count}. Train on one, then apply it with --model.");

        using var model = modelPath is null ? null : LoadModel(modelPath);
        var segmenter = new Segmenter(p, model, modelPath, savePath, cl.Flag("--preview"));
        if (inputs.Count == 1 && !Directory.Exists(cl.Positionals[0]))
        {
            segmenter.Segment(inputs[0], outDir, verbose: true).Model?.Dispose();
            return Program.Ok;
        }
        return SegmentBatch.Run(inputs, outDir, segmenter);
    }

    /// <summary>The preset's values, then every option given on top (each setting's option, or an older spelling of it).</summary>
    internal static SegmentationParameters Parameters(CommandLine cl, bool requireClusters = true)
    {
        if (requireClusters && cl.String(SettingFields.All.Single(f => f.LinkAlias == "k").Option) is null)
            throw new UsageException("--clusters K is required (or --model FILE).");
        var given = new List<(SettingField, object?)>();
        foreach (var f in SettingFields.All)
        {
            var options = f.OptionAliases.Prepend(f.Option).Where(o => cl.String(o) is not null).ToList();
            if (options.Count > 1) throw new UsageException($"{options[0]} and {options[1]} are the same setting; give one.");
            if (options.Count == 0) continue;
            try { given.Add((f, f.ReadText(cl.String(options[0])!))); }
            catch (ArgumentException e) { throw new UsageException($"{options[0]}: {e.Message}"); }
        }
        return SettingFields.Build(given);
    }

    private static SavedModel LoadModel(string path)
    {
        try { return SavedModel.Load(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"The model '{path}' could not be opened: {e.Message}");
        }
        catch (InvalidDataException e) { throw new UsageException($"'{path}': {e.Message}"); }
    }

    /// <summary>Segments one image into a folder: trains (or applies the saved model) and writes the three files.</summary>
    internal sealed class Segmenter(SegmentationParameters? parameters, SavedModel? model, string? modelPath, string? savePath, bool previews = false)
    {
        public SegmentationResult Segment(string imagePath, string outDir, bool verbose)
        {
            using var stream = Open(imagePath);
            Directory.CreateDirectory(outDir);
            SegmentationResult result;
            if (model is null)
            {
                var p = parameters!;
                if (verbose)
                    Console.WriteLine($"{Path.GetFileName(imagePath)}: {SettingFields.Describe(p)}");
                // --preview: make the page's live previews too, to see what they cost the training.
                var frames = new List<PreviewFrame>();
                result = SegmentationPipeline.Run(stream, ImageLimits.Default, p, e =>
                {
                    if (e is PreviewReady { Frame: var frame }) frames.Add(frame);
                    if (verbose) PrintProgress(e);
                }, preview: previews ? LivePreviewOptions.Default : null);
                if (previews)
                    Console.WriteLine($"  live previews: {frames.Count}, {frames.Sum(f => f.Seconds):0.000} s in all " +
                                      $"({frames.Sum(f => f.Seconds) / result.Timings.TrainSeconds:P1} of training)");
            }
            else
            {
                if (verbose) Console.WriteLine($"{Path.GetFileName(imagePath)}: applying {modelPath} (k={model.Parameters.Clusters}, no training)");
                result = model.Apply(ImageLoader.Load(stream, ImageLimits.Default));
            }
            try
            {
                Write(result, imagePath, outDir, verbose);
                return result;
            }
            catch
            {
                result.Model?.Dispose();
                throw;
            }
        }

        private void Write(SegmentationResult result, string imagePath, string outDir, bool verbose)
        {
            using (var f = File.Create(Path.Combine(outDir, "labels.png")))
                ImageLoader.SaveLabelPng(result.Labels, result.Width, result.Height, f);
            using (var f = File.Create(Path.Combine(outDir, "segmented.png")))
                ImageLoader.SavePng(result.RenderMeanColours(), f);
            double peakMb = Memory.PeakWorkingSetMb();
            var report = RunReport.Create(result, peakMb, Path.GetFullPath(imagePath));
            if (modelPath is not null) report["appliedModel"] = Path.GetFullPath(modelPath);
            File.WriteAllText(Path.Combine(outDir, "report.json"), report.ToJsonString(new() { WriteIndented = true }));
            if (savePath is not null)
            {
                SavedModel.Save(result, savePath);
                if (verbose) Console.WriteLine($"saved the model to {savePath}");
            }
            if (verbose) PrintSummary(result, peakMb, outDir);
        }
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
