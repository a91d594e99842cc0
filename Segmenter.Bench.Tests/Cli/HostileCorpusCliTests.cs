using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Segmenter.Bench.Corpus;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;

using Segmenter.Engine.Tests.Support;

namespace Segmenter.Bench.Tests.Cli;

/// <summary>
/// Every hostile-corpus file through the real `segment` executable, checked against what the engine does with the
/// same file in this process: the exact refusal message, or the decoded size, final loss and cluster shares the
/// command prints and writes to report.json.
/// </summary>
public sealed class HostileCorpusCliTests() : TemporaryFolderTest("segmenter-hostile-cli-")
{
    /// <summary>What the command is asked for: the CLI's own defaults (fast preset) with k = 2 and one epoch.</summary>
    private static readonly SegmentationParameters Asked = SegmentationParameters.ForPreset(Preset.Fast) with { Clusters = 2, Epochs = 1 };

    private static readonly string[] AskedArgs = ["--clusters", "2", "--epochs", "1"];

    [Fact]
    public void Every_hostile_corpus_file_prints_what_the_engine_does_with_it()
    {
        string corpus = Path.Combine(Dir, "corpus");
        var files = HostileCorpus.Write(corpus);
        var failures = new ConcurrentBag<string>();
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = 2 }, f =>
        {
            string path = Path.Combine(corpus, f.Name), outDir = Path.Combine(Dir, "out", f.Name);
            var expected = Expect(path);
            var run = BenchCli.Run(TimeSpan.FromMinutes(2), ["segment", path, .. AskedArgs, "--out", outDir]);
            string err = run.Stderr.Trim();
            if (f.Expected == HostileOutcome.Rejected && expected.Error is null)
                failures.Add($"{f.Name}: the corpus expects a refusal but the engine loaded it");

            if (expected.Error is { } message)
            {
                if (run.ExitCode != 2 || err != "error: " + message)
                    failures.Add($"{f.Name}: expected exit 2 and 'error: {message}', got exit {run.ExitCode} and '{err}'");
                return;
            }
            var result = expected.Result!;
            if (run.ExitCode != 0) { failures.Add($"{f.Name}: exit {run.ExitCode}, stderr: {err}"); return; }
            string summary = $"{result.Width}×{result.Height}: final loss {result.FinalLoss.ToString("0.000000", CultureInfo.InvariantCulture)}, " +
                             $"inertia {result.Inertia.ToString("0.###", CultureInfo.InvariantCulture)}, k-means {result.KMeansIterations} iterations";
            if (!run.Stdout.Contains(summary)) failures.Add($"{f.Name}: stdout lacks '{summary}':\n{run.Stdout}");
            foreach (var c in result.Clusters)
            {
                string line = $"  cluster {c.Index}: {c.Share.ToString("P1", CultureInfo.InvariantCulture),6}  {c.Hex}";
                if (!run.Stdout.Contains(line)) failures.Add($"{f.Name}: stdout lacks '{line}'");
            }
            var report = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!;
            if (report["width"]!.GetValue<int>() != result.Width || report["height"]!.GetValue<int>() != result.Height)
                failures.Add($"{f.Name}: report.json size {report["width"]}×{report["height"]}, engine {result.Width}×{result.Height}");
            if (report["finalLoss"]!.GetValue<double>() != result.FinalLoss)
                failures.Add($"{f.Name}: report.json final loss {report["finalLoss"]}, engine {result.FinalLoss:R}");
            var counts = report["clusters"]!.AsArray().Select(c => c!["count"]!.GetValue<long>());
            if (!counts.SequenceEqual(result.Clusters.Select(c => c.PixelCount)))
                failures.Add($"{f.Name}: report.json cluster counts {string.Join(",", counts)}, engine {string.Join(",", result.Clusters.Select(c => c.PixelCount))}");
        });
        Assert.True(failures.IsEmpty, string.Join("\n", failures));
    }

    private sealed record Expected(string? Error, ExpectedResult? Result);

    private sealed record ExpectedResult(int Width, int Height, double FinalLoss, double Inertia, int KMeansIterations,
        IReadOnlyList<ClusterSummary> Clusters);

    /// <summary>The engine's own outcome for the file, run the way the command runs it (same parameters, same seed).</summary>
    private static Expected Expect(string path)
    {
        RgbImage image;
        try { image = ImageLoader.Load(path); }
        catch (ImageRejectedException e) { return new(e.Message, null); }
        try
        {
            var r = SegmentationPipeline.Run(image, Asked);
            using var rModel = r.Model;
            return new(null, new(r.Width, r.Height, r.FinalLoss, r.Inertia, r.KMeansIterations, r.Clusters.ToArray()));
        }
        catch (ArgumentException e) { return new(Segmenter.Bench.Program.WithoutParamName(e), null); }
    }
}
