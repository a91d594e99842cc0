using System.Globalization;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Bench;

/// <summary>
/// segment / bench / soak / hostile. Every failure the user can cause ends with a one-line message on stderr and
/// exit code 2 (bad usage or input) or 3 (training failed); never a stack trace.
/// </summary>
internal static class Program
{
    public const int Ok = 0, Failed = 1, BadInput = 2, TrainingFailed = 3;

    public static readonly string Usage = $$"""
        Segmenter.Bench — attention-autoencoder + k-means image segmentation from the command line.

        Usage:
          segment IMAGE --clusters K [--save-model FILE] [--preview] --out DIR
                  {{SegmentCommand.SettingsHelp}}
              Segments IMAGE into K clusters; writes DIR/labels.png, DIR/segmented.png and DIR/report.json.
              Starts from the preset (default fast); every option given overrides the preset's value.
              --preview also makes the web page's live previews while training and prints what they cost.
              --save-model FILE also keeps the trained model (weights, settings, k-means centres).
          segment IMAGE --sweep "SETTING=V1,V2,…;SETTING=FROM..TO:STEP" [--truth LABELS.png] (same options) --out DIR
              One run per combination of up to three settings' values (the other options shared), each into
              DIR/<setting-value_…>/, and DIR/sweep.csv with every run's values, loss, silhouette, Davies–Bouldin,
              agreement with the colour baselines and, with --truth, ARI and mean IoU. Bad axes stop it before any run.
          segment IMAGE IMAGE… | FOLDER  (same options) --out DIR
              Each image (a folder gives its images) into DIR/<name>/, a progress line per image, and
              DIR/summary.csv; an image that fails is reported and the rest go on (exit code of the first failure).
          segment IMAGE… | FOLDER --model FILE --out DIR
              Applies a saved model without training: the same codes and centres, so frames are segmented alike.
          bench [--quick | --big-only] [--out DIR]
              Times the pipeline on the sample, the synthetic fixtures and a 24-megapixel image, against the
              Python peer when /usr/bin/python3 has torch, sklearn and cv2; writes DIR/bench-results.json
              (DIR defaults to the current directory). --quick: astronaut + one fixture, no peers, no 24 MP.
              --big-only: the 24-megapixel row alone.
          soak [--runs N] [--epochs E]
              N (default 100) consecutive runs in one process; fails if the working set grows > 50 MB
              between run 10 and run N.
          quality [--scenes generated|textures|textures-tune|DIR|none] [--photos DIR] [--limit N] [--methods LIST] [--seeds S1,S2,…] [--repeat R]
                  [--peers DIR] [--out DIR]
              Scores every method (the default, the default at each window, each lever value alone, RGB k-means,
              blurred-Lab k-means, regions and clusters, the Felzenszwalb merge (fh-merge*), the Gabor filter bank (gabor-python)
              and the Python original when --peers DIR, default ../shared/peers, and Python can run it) by ARI on the scenes
              (default: the seeded generator's standard scenes; textures: the natural-texture mosaics written by
              Segmenter.Bench/peers/texture_mosaics.py into DIR, textures-tune: their tuning set; or a folder of
              k.txt + NAME.png + NAME.gt.png, e.g. ../shared/fixtures/synthetic) and, with --photos, by mean ARI and PRI against the human segmentations
              of a BSDS500-style folder (NAME.mat or NAME.gt*.png); --limit N photos spread over the folder.
              Markdown on stdout, DIR/quality-results.json.
          hostile [--out DIR]
              Generates the hostile-upload corpus (truncated, mislabelled, bombs, odd formats) into DIR and runs
              each file through the engine; prints file, expected, outcome and milliseconds as a Markdown table.
              Target: every file decoded or refused within 2 s (exit code 1 when one is not).
          baselines IMAGE [--clusters K] [--repeat R] [--seed S]
              Times the two colour baselines the app computes beside every run (RGB k-means and blurred-Lab
              k-means at K, default 4) after a default run of IMAGE, R times (default 3), and prints their share.
          capacity [--runs N] [--levels 1,2,4]
              What one instance serves: N runs (default 8) of the astronaut, fast preset, k=4, at each number of
              concurrent runs (default 1, 2 and the core count), in one process; prints runs per minute.
          scale --postgres CONNECTION [--runs N] [--jobs-per-worker J]
              What workers add: the app as separate processes (one web instance, then one and two workers, J runs
              at a time each, default 1) on a fresh database of the PostgreSQL server CONNECTION (default
              $SEGMENTER_TEST_POSTGRES); N (default 8) API runs of the astronaut, fast preset, k=4, per row; prints
              runs per minute with one and with two workers, and the seconds from SIGKILL of a worker mid-run to
              that run's finish on the other worker. The database is dropped at the end.
          steer
              Hand steering on the astronaut (fast preset, k=4) once its pixel codes exist: seconds to re-cluster
              with two strokes, merge two clusters and split one into 3 (target: each ≤ 1 s).
          cancel [--runs N]
              How soon a run ends after Cancel: N (default 3) Original-preset runs of the astronaut, each cancelled
              100 ms after its first epoch; prints cancel → end per run (target: each ≤ 1 s, no epoch after the cancel).
          agree LABELS.png LABELS.png
              Adjusted Rand index and matched mean IoU between two label maps of one image (e.g. two runs' labels.png).
          regions IMAGE [--clusters K] [--repeat R]
              What segments = regions costs after a default run of IMAGE (K default 6, R default 3): seconds of the
              k-means clustering and of the first regions cut (which builds the region tree), and the re-cut at
              every count the tree allows (median and max ms).
          memory [--sessions N] [--megapixels M] [--epochs E] [--hold-seconds S]
              The app in process with N (default 20) sessions, each holding an M-megapixel (default 40) result;
              prints the RSS while they are held and after they end; fails beyond 4096 MB held or when memory
              does not come back within 300 MB of the start within 10 s. --hold-seconds keeps them held S s
              longer (for a heap dump of the printed process).
          crowd [--visitors N] [--arrivals G] [--width W --height H] [--chromium PATH]
              A crowd in a real browser: the built app as its own process (Segmenter:MaxQueueLength=24) and N
              (default 20) Chromium visitors, each uploading a W×H (default 7600×5200) photo-like JPEG (G at a
              time, default 4, each group once the one before is in) and training with the defaults, then leaving.
              Prints the server's RSS at start, after the uploads, with every result shown, its peak during the
              runs and 15 s / 60 s after they left; fails beyond 4096 MB shown, a 5120 MB peak, or when it is not
              back within 300 MB of the start within 60 s.
          page [--runs N] [--no-trace] [--trace-out DIR]
              The page in Chromium without a GPU (software WebGL, CI's flags), the built app as its own process: N
              (default 3) fresh visitors each train the astronaut with the defaults; prints per run the longest
              main-thread task from the click until both 3D plots are drawn (and what it was made of, from a
              Chromium trace; --trace-out keeps each trace for chrome://tracing) and the time from the run's end to
              both plots drawn. Targets: every task ≤ 0.2 s, plots ≤ 1.0 s (exit code 1 when a run misses one).
          store-writer --data DIR [--runs N] [--megapixels M]
              Saves N (default 10) synthetic runs of M (default 4) megapixels into the run store in DIR, printing
              "writing i" and "saved i ID"; the crash test kills it mid-save and checks the store it leaves.
          sweep [--workers 1,2] [--sweep AXES]
              The app in process at each worker count (Segmenter:MaxConcurrentJobs): one API run of the astronaut with
              the defaults, then a 3 × 3 sweep (default clusters=3,4,5;seed=1,2,3) through the same API runs; prints
              the sweep's seconds as a multiple of the one run's and the working set before and after.
          docs
              Writes the documentation's generated parts from the code: the settings table in docs/settings.md
              and docs/openapi.json (the OpenAPI document the app serves).
          --help
              This text.

        Exit codes: 0 ok, 1 unexpected error, a failed bench row or a missed soak, memory, hostile, cancel or page target,
        2 bad usage or unusable image, 3 training failed.
        """;

    private static int Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
            {
                Console.WriteLine(Usage);
                return args.Length == 0 ? BadInput : Ok;
            }
            var rest = args[1..];
            return args[0] switch
            {
                "segment" => SegmentCommand.Run(rest),
                "bench" => BenchCommand.Run(rest),
                "soak" => SoakCommand.Run(rest),
                "quality" => Quality.QualityCommand.Run(rest),
                "hostile" => HostileCommand.Run(rest),
                "capacity" => CapacityCommand.Run(rest),
                "scale" => ScaleCommand.RunAsync(rest).GetAwaiter().GetResult(),
                "baselines" => BaselinesCommand.Run(rest),
                "steer" => SteerCommand.Run(rest),
                "cancel" => CancelCommand.Run(rest),
                "agree" => AgreeCommand.Run(rest),
                "regions" => RegionsCommand.Run(rest),
                "store-writer" => StoreWriterCommand.RunAsync(rest).GetAwaiter().GetResult(),
                "memory" => MemoryCommand.RunAsync(rest).GetAwaiter().GetResult(),
                "crowd" => CrowdCommand.RunAsync(rest).GetAwaiter().GetResult(),
                "page" => PageCommand.RunAsync(rest).GetAwaiter().GetResult(),
                "sweep" => SweepBenchCommand.RunAsync(rest).GetAwaiter().GetResult(),
                "docs" => DocsCommand.RunAsync(rest).GetAwaiter().GetResult(),
                _ => throw new UsageException($"Unknown command '{args[0]}'. Commands: segment, bench, soak, quality, hostile, capacity, scale, baselines, steer, cancel, agree, regions, memory, crowd, page, store-writer, sweep, docs (see --help)."),
            };
        }
        catch (Exception e)
        {
            return ExitCodeFor(e) is { } code ? Fail(code, MessageFor(e)) : Fail(Failed, $"Unexpected error ({e.GetType().Name}): {e.Message}");
        }
    }

    /// <summary>The exit code for a failure the user can cause (bad usage or input, diverged training, unwritable output); null for a bug.</summary>
    internal static int? ExitCodeFor(Exception e) => e switch
    {
        UsageException or ImageRejectedException or ArgumentException => BadInput,
        TrainingFailedException => TrainingFailed,
        IOException or UnauthorizedAccessException => Failed,
        _ => null,
    };

    /// <summary>The one-line message for a failure <see cref="ExitCodeFor"/> knows.</summary>
    internal static string MessageFor(Exception e) => e switch
    {
        UsageException => e.Message + " Run with --help for usage.",
        ArgumentException a => WithoutParamName(a),
        TrainingFailedException => "Training failed: " + e.Message,
        IOException or UnauthorizedAccessException => "Could not write the output: " + e.Message,
        _ => e.Message,
    };

    private static int Fail(int code, string message)
    {
        Console.Out.Flush();
        Console.Error.WriteLine("error: " + message);
        return code;
    }

    /// <summary>ArgumentException appends " (Parameter 'Clusters')" to the engine's sentence; the person does not need it.</summary>
    internal static string WithoutParamName(ArgumentException e) =>
        e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
}
