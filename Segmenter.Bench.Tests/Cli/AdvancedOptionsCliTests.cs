using System.Text.Json.Nodes;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Bench.Tests.Cli;

/// <summary>The architecture and k-means options on the command line: each lands in the report under its settings name, and the report reads back to them.</summary>
public sealed class AdvancedOptionsCliTests() : TemporaryFolderTest("segmenter-cli-advanced-")
{
    [Fact]
    public void Every_advanced_option_lands_in_the_report_and_reads_back()
    {
        string png = Path.Combine(Dir, "small.png"), outDir = Path.Combine(Dir, "out");
        using (var f = File.Create(png)) ImageLoader.SavePng(SampleImages.Blocks(40, 30).Image, f);
        var run = BenchCli.Run("segment", png, "--clusters", "3", "--epochs", "1",
            "--code-size", "16", "--hidden-width", "96", "--encoder-depth", "2", "--decoder-depth", "3", "--activation", "gelu",
            "--kmeans-restarts", "2", "--kmeans-iterations", "50", "--kmeans-tolerance", "0.001", "--kmeans-init", "random", "--out", outDir);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!["parameters"]!.AsObject();
        var p = ReportParameters.Read(JsonNode.Parse(json.ToJsonString())!.AsObject());
        Assert.Equal(SegmentationParameters.ForPreset(Preset.Fast) with
        {
            Clusters = 3, Epochs = 1, CodeSize = 16, HiddenWidth = 96, EncoderDepth = 2, DecoderDepth = 3, Activation = Activation.Gelu,
            KMeansRestarts = 2, KMeansMaxIterations = 50, KMeansTolerance = 0.001, KMeansInit = Engine.Clustering.KMeansInit.Random,
        }, p);
    }

    [Theory]
    [InlineData("--hidden-width", "60", "--heads", "8", "Hidden width 60 is not divisible by 8 heads.")]
    [InlineData("--code-size", "200", "--heads", "2", "The code size must be between 2 and 128; got 200.")]
    [InlineData("--activation", "sigmoid", "--heads", "2", "--activation: The setting \"activation\" must be one of \"relu\", \"gelu\", \"silu\", \"tanh\"; got \"sigmoid\".")]
    [InlineData("--kmeans-init", "forgy", "--heads", "2", "--kmeans-init: The setting \"kmeansInit\" must be one of \"kmeansplusplus\", \"random\"; got \"forgy\".")]
    public void Bad_advanced_options_exit_2_with_the_message(string option, string value, string option2, string value2, string message)
    {
        var run = BenchCli.Run("segment", Path.Combine(Dir, "none.png"), "--clusters", "3", option, value, option2, value2, "--out", Path.Combine(Dir, "o"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr);
    }
}
