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

    public static JsonNode? LastJson(string stdout) =>
        stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{')) is { } line ? JsonNode.Parse(line) : null;

    public static string LastLine(string text) => text.Trim().Split('\n').LastOrDefault()?.Trim() ?? "";
}
