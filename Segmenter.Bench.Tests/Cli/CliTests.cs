using System.Text.Json.Nodes;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Bench.Tests.Cli;

/// <summary>The `segment` command, run as the real executable (the bench and the hostile corpus: BenchQuickCliTests, HostileCorpusCliTests).</summary>
public sealed class CliTests() : TemporaryFolderTest("segmenter-cli-")
{
    /// <summary>A 64×48 PNG of three noisy flat blocks.</summary>
    private string SmallPng()
    {
        string path = Path.Combine(Dir, "small.png");
        if (!File.Exists(path))
        {
            var (image, _) = SampleImages.Blocks(64, 48);
            using var f = File.Create(path);
            ImageLoader.SavePng(image, f);
        }
        return path;
    }

    private static void AssertNoStackTrace(CliRun run)
    {
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stdout);
        Assert.DoesNotContain("Unhandled exception", run.Stderr);
    }

    private string LabelPng(string name, int width, int height, Func<int, int, byte> label)
    {
        var labels = new byte[width * height];
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) labels[y * width + x] = label(x, y);
        string path = Path.Combine(Dir, name);
        using var f = File.Create(path);
        ImageLoader.SaveLabelPng(labels, width, height, f);
        return path;
    }

    [Fact]
    public void Agree_scores_two_label_maps_and_refuses_maps_of_different_sizes()
    {
        string halves = LabelPng("halves.png", 40, 20, (x, _) => (byte)(x < 20 ? 0 : 1));
        string renamed = LabelPng("renamed.png", 40, 20, (x, _) => (byte)(x < 20 ? 5 : 2)); // the same split, other numbers
        string quarters = LabelPng("quarters.png", 40, 20, (x, _) => (byte)(x / 10));
        string small = LabelPng("small.png", 20, 20, (x, _) => 0);

        var same = BenchCli.Run("agree", halves, renamed);
        Assert.True(same.ExitCode == 0, same.Stdout + same.Stderr);
        Assert.Contains("40×20: ARI 1.0000, matched mean IoU 1.0000", same.Stdout);

        var finer = BenchCli.Run("agree", halves, quarters);
        Assert.True(finer.ExitCode == 0, finer.Stdout + finer.Stderr);
        Assert.DoesNotContain("ARI 1.0000", finer.Stdout);

        var sizes = BenchCli.Run("agree", halves, small);
        Assert.NotEqual(0, sizes.ExitCode);
        Assert.Contains("20", sizes.Stderr);
        AssertNoStackTrace(sizes);
    }

    [Fact]
    public void Segment_writes_labels_rendering_and_a_complete_report()
    {
        string outDir = Path.Combine(Dir, "out");
        var run = BenchCli.Run("segment", SmallPng(), "--clusters", "3", "--epochs", "3", "--out", outDir);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("epoch   3/3", run.Stdout); // losses printed as the epochs end

        foreach (var f in new[] { "labels.png", "segmented.png", "report.json" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);

        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!;
        Assert.Equal(64, report["width"]!.GetValue<int>());
        Assert.Equal(48, report["height"]!.GetValue<int>());
        Assert.EndsWith("small.png", report["image"]!.GetValue<string>());
        var p = report["parameters"]!.AsObject();
        foreach (var key in new[] { "preset", "clusters", "epochs", "heads", "window", "batch", "lr", "seed", "trainingSample",
                                    "clusteringSample", "kmeansRestarts", "kmeansMaxIterations", "kmeansTolerance" })
            Assert.True(p.ContainsKey(key), key);
        Assert.Equal("fast", p["preset"]!.GetValue<string>());
        Assert.Equal(3, p["clusters"]!.GetValue<int>());
        Assert.Equal(3, p["epochs"]!.GetValue<int>());

        var losses = report["epochLosses"]!.AsArray();
        Assert.Equal(3, losses.Count);
        Assert.Equal(losses[^1]!.GetValue<double>(), report["finalLoss"]!.GetValue<double>());
        Assert.True(report["inertia"]!.GetValue<double>() >= 0);

        var clusters = report["clusters"]!.AsArray();
        Assert.Equal(3, clusters.Count);
        Assert.Equal(64 * 48, clusters.Sum(c => c!["count"]!.GetValue<long>()));
        Assert.All(clusters, c =>
        {
            Assert.InRange(c!["index"]!.GetValue<int>(), 0, 2);
            Assert.Equal(3, c["rgb"]!.AsArray().Count);
        });

        var t = report["timings"]!.AsObject();
        foreach (var key in new[] { "decodeSeconds", "trainSeconds", "encodeSeconds", "clusterSeconds", "renderSeconds", "totalSeconds", "firstEpochSeconds" })
            Assert.True(t[key]!.GetValue<double>() >= 0, key);
        Assert.True(report["peakWorkingSetMb"]!.GetValue<double>() > 0);

        var labels = ImageLoader.Load(Path.Combine(outDir, "labels.png"));
        Assert.Equal((64, 48), (labels.Width, labels.Height));
        Assert.All(labels.Pixels, v => Assert.True(v < 3, $"label {v} ≥ k"));
        var segmented = ImageLoader.Load(Path.Combine(outDir, "segmented.png"));
        Assert.Equal((64, 48), (segmented.Width, segmented.Height));
    }

    [Fact]
    public void Explicit_options_override_the_preset()
    {
        string outA = Path.Combine(Dir, "a"), outB = Path.Combine(Dir, "b");
        var a = BenchCli.Run("segment", SmallPng(), "--preset", "original", "--epochs", "2", "--clusters", "2", "--out", outA);
        Assert.True(a.ExitCode == 0, a.Stdout + a.Stderr);
        var pa = JsonNode.Parse(File.ReadAllText(Path.Combine(outA, "report.json")))!["parameters"]!;
        Assert.Equal("original", pa["preset"]!.GetValue<string>());
        Assert.Equal(2, pa["epochs"]!.GetValue<int>());   // overridden
        Assert.Equal(256, pa["batch"]!.GetValue<int>());  // the original preset's
        Assert.Equal(10, pa["kmeansRestarts"]!.GetValue<int>());
        Assert.Null(pa["trainingSample"]);

        var b = BenchCli.Run("segment", SmallPng(), "--clusters", "2", "--epochs", "1", "--batch", "64", "--lr", "0.01",
            "--heads", "4", "--seed", "7", "--window", "3", "--out", outB);
        Assert.True(b.ExitCode == 0, b.Stdout + b.Stderr);
        var pb = JsonNode.Parse(File.ReadAllText(Path.Combine(outB, "report.json")))!["parameters"]!;
        Assert.Equal("fast", pb["preset"]!.GetValue<string>());
        Assert.Equal(64, pb["batch"]!.GetValue<int>());
        Assert.Equal(0.01, pb["lr"]!.GetValue<double>());
        Assert.Equal(4, pb["heads"]!.GetValue<int>());
        Assert.Equal(7, pb["seed"]!.GetValue<int>());
        Assert.Equal(3, pb["window"]!.GetValue<int>());
        Assert.Equal(SegmentationParameters.ForPreset(Preset.Fast).TrainingSample, pb["trainingSample"]!.GetValue<int>()); // still the fast preset's
    }

    public static TheoryData<string[], string> BadCalls => new()
    {
        { ["segment", "{img}", "--clusters", "4", "--bogus", "1", "--out", "{out}"], "Unknown option '--bogus'" },
        { ["segment", "{img}", "--out", "{out}", "--clusters"], "--clusters needs a value" },
        { ["segment", "{img}", "--clusters", "four", "--out", "{out}"], "--clusters: The setting \"clusters\" must be a whole number; got 'four'." },
        { ["segment", "{img}", "--clusters", "4", "--lr", "fast", "--out", "{out}"], "--lr: The setting \"lr\" must be a number" },
        { ["segment", "{img}", "--clusters", "4", "--epochs", "0", "--out", "{out}"], "Epochs must be between 1 and 1000; got 0." },
        { ["segment", "{img}", "--clusters", "1", "--out", "{out}"], "at least 2" },
        { ["segment", "{img}", "--clusters", "4", "--heads", "3", "--out", "{out}"], "must be 1, 2, 4, 8 or 16" },
        { ["segment", "{img}", "--clusters", "4", "--window", "2", "--out", "{out}"], "attention window must be 1" },
        { ["segment", "{img}", "--clusters", "4", "--lr", "-1", "--out", "{out}"], "learning rate must be a positive" },
        { ["segment", "{img}", "--clusters", "4", "--preset", "slow", "--out", "{out}"], "--preset: The setting \"preset\" must be one of \"fast\", \"original\"; got \"slow\"." },
        { ["segment", "{img}", "--clusters", "4"], "--out DIR is required" },
        { ["segment", "--clusters", "4", "--out", "{out}"], "segment needs an IMAGE" },
        { ["segment", "{missing}", "--clusters", "4", "--out", "{out}"], "could not be opened" },
        { ["segment", "{text}", "--clusters", "4", "--out", "{out}"], ImageLoader.NotAnImageMessage },
        { ["frobnicate"], "Unknown command 'frobnicate'" },
        { ["scale", "--postgres", "Host=127.0.0.1", "--runs", "0"], "--runs and --jobs-per-worker must be at least 1." },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public void Bad_options_and_inputs_exit_2_with_a_message_and_no_stack_trace(string[] template, string expected)
    {
        string text = Path.Combine(Dir, "notes.png");
        File.WriteAllText(text, "not an image");
        var args = template.Select(a => a
            .Replace("{img}", SmallPng()).Replace("{out}", Path.Combine(Dir, "out"))
            .Replace("{missing}", Path.Combine(Dir, "no-such.png")).Replace("{text}", text)).ToArray();
        var run = BenchCli.Run(args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr);
        Assert.DoesNotContain("(Parameter '", run.Stderr);
        AssertNoStackTrace(run);
    }

    [Fact]
    public void Help_prints_usage_and_exits_0()
    {
        var run = BenchCli.Run("--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("segment IMAGE --clusters K", run.Stdout);
        Assert.Equal(0, BenchCli.Run("segment", "--help").ExitCode);
    }
}
