using System.Globalization;
using System.Text.Json.Nodes;

namespace Segmenter.Bench;

/// <summary>
/// The original system's pipeline (<c>original_pipeline.py</c> in the peers folder) run by Debian's Python, for
/// side-by-side figures. One place says where Python is, what it must import and how the script is called.
/// </summary>
internal static class PythonPeer
{
    public const string Python = "/usr/bin/python3";
    public const string OriginalScript = "original_pipeline.py";
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(60);

    public sealed record Result(double? TotalSeconds, double? FinalLoss, string? Error);

    /// <summary>Null when Python can run the peers; otherwise why not, as a sentence ending "…; Python peers skipped."</summary>
    public static string? Unavailable()
    {
        if (!File.Exists(Python)) return $"{Python} not found; Python peers skipped.";
        try
        {
            var check = ChildProcess.Run(Python, ["-c", "import torch, sklearn, cv2"], TimeSpan.FromMinutes(3));
            return check.ExitCode == 0 ? null : $"{Python} cannot import torch, sklearn and cv2; Python peers skipped.";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"{Python} could not be started ({e.Message}); Python peers skipped.";
        }
    }

    /// <summary>Runs the original pipeline (30 epochs, batch 256) on <paramref name="image"/>, writing its label map to <paramref name="labelsPng"/>.</summary>
    public static Result RunOriginal(string peersDir, string image, int clusters, string labelsPng, int? seed = null)
    {
        string script = Path.Combine(peersDir, OriginalScript);
        string k = clusters.ToString(CultureInfo.InvariantCulture);
        string[] args = seed is { } s
            ? [script, image, "--clusters", k, "--labels", labelsPng, "--seed", s.ToString(CultureInfo.InvariantCulture)]
            : [script, image, "--clusters", k, "--labels", labelsPng];
        var run = ChildProcess.Run(Python, args, Timeout);
        if (run.ExitCode != 0)
            return new(null, null, run.TimedOut ? "timed out" : $"exit {run.ExitCode}: {LastLine(run.Stderr)}");
        if (LastJson(run.Stdout) is not { } json) return new(null, null, "no JSON line in its output");
        return new(json["total_s"]!.GetValue<double>(), json["final_loss"]!.GetValue<double>(), null);
    }

    /// <summary>The repository's own peers (the Gabor baseline, the texture mosaics), beside the bench's sources.</summary>
    public static string BenchPeers => Path.Combine(RepoPaths.RequireRoot(), "Segmenter.Bench", "peers");

    public const string GaborScript = "gabor_kmeans.py", MosaicScript = "texture_mosaics.py";

    /// <summary>The Gabor filter-bank baseline (<c>gabor_kmeans.py</c>, its tuned defaults) on <paramref name="image"/>.</summary>
    public static string? RunGabor(string image, int clusters, string labelsPng, int seed)
    {
        var run = ChildProcess.Run(Python, [Path.Combine(BenchPeers, GaborScript), image, "--clusters", clusters.ToString(CultureInfo.InvariantCulture),
            "--labels", labelsPng, "--seed", seed.ToString(CultureInfo.InvariantCulture)], Timeout);
        return run.ExitCode == 0 ? null : run.TimedOut ? "timed out" : $"exit {run.ExitCode}: {LastLine(run.Stderr)}";
    }

    /// <summary>Writes the natural-texture mosaics (<c>texture_mosaics.py</c>, the given set) into <paramref name="dir"/>.</summary>
    public static void WriteMosaics(string dir, string set)
    {
        var run = ChildProcess.Run(Python, [Path.Combine(BenchPeers, MosaicScript), dir, "--set", set], TimeSpan.FromMinutes(10));
        if (run.ExitCode != 0)
            throw new UsageException($"{MosaicScript} could not write the texture mosaics ({(run.TimedOut ? "timed out" : LastLine(run.Stderr))}); " +
                                     $"it needs {Python} with numpy, OpenCV and scikit-image (Debian: python3-skimage, python3-opencv).");
    }

    public static JsonNode? LastJson(string stdout) =>
        stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{')) is { } line ? JsonNode.Parse(line) : null;

    public static string LastLine(string text) => text.Trim().Split('\n').LastOrDefault()?.Trim() ?? "";
}
