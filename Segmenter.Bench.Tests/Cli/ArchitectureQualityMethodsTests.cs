using System.Text.Json.Nodes;
using Segmenter.Bench.Quality;
using Segmenter.Bench.Scenes;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Bench.Tests.Cli;

/// <summary>The architecture knobs' `quality` rows: one per knob, each changing that knob alone from the default.</summary>
public sealed class ArchitectureQualityMethodsTests() : TemporaryFolderTest("segmenter-quality-arch-")
{
    [Theory]
    [InlineData("code8")]
    [InlineData("code16")]
    [InlineData("code64")]
    [InlineData("depth2")]
    [InlineData("gelu")]
    public void Each_architecture_method_changes_only_its_knob(string id)
    {
        var method = QualityMethods.All(peersDir: null).Single(m => m.Id == id);
        var defaults = QualityMethods.DefaultParameters(3, 42);
        var expected = id switch
        {
            "code8" => defaults with { CodeSize = 8 },
            "code16" => defaults with { CodeSize = 16 },
            "code64" => defaults with { CodeSize = 64 },
            "depth2" => defaults with { EncoderDepth = 2 },
            _ => defaults with { Activation = Activation.Gelu },
        };
        Assert.NotEqual(defaults, expected); // a row equal to the default would measure nothing new
        Assert.Equal(expected, method.Parameters!(3, 42));
    }

    [Fact]
    public void Quality_runs_an_architecture_method_named_on_the_command_line()
    {
        var scene = SceneGenerator.Generate("noisy_regions");
        string scenes = SceneFolder.Save([scene], Path.Combine(Dir, "scenes"));

        string outDir = Path.Combine(Dir, "out");
        var run = BenchCli.Run("quality", "--scenes", scenes, "--methods", "code16,gelu", "--out", outDir);
        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}\n{run.Stdout}{run.Stderr}");
        var rows = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, QualityCommand.ResultsFile)))!["scenes"]!["rows"]!.AsArray();
        Assert.Equal(["code16", "gelu"], rows.Select(r => r!["method"]!.GetValue<string>()));
        Assert.All(rows, r => Assert.InRange(r!["meanAri"]!.GetValue<double>(), -1, 1));
        Assert.Contains("| default, code size 16", run.Stdout);
        Assert.Contains("| default, Gelu activation", run.Stdout);
    }
}
