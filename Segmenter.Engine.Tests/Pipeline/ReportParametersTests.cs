using System.Text.Json.Nodes;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>The report's parameter names, written and read back: what saved models and the HTTP API's settings use.</summary>
public sealed class ReportParametersTests
{
    [Fact]
    public void Every_parameter_written_reads_back_equal()
    {
        var p = SegmentationParameters.ForPreset(Preset.Original) with
        {
            Clusters = 7, Epochs = 12, Heads = 4, Window = 3, BatchSize = 100, LearningRate = 0.003, Seed = 9, CosineDecay = true,
            TrainingSample = 5000, ClusteringSample = 6000, KMeansRestarts = 3, KMeansMaxIterations = 50, KMeansTolerance = 1e-3,
        };
        var json = JsonNode.Parse(ReportParameters.ToJson(p).ToJsonString())!.AsObject();
        Assert.Equal(p, ReportParameters.Read(json));
        Assert.Equal(ReportParameters.Names, json.Select(kv => kv.Key));
    }

    [Fact]
    public void Absent_names_take_the_presets_values()
    {
        var read = ReportParameters.Read(new JsonObject { ["clusters"] = 3, ["preset"] = "original" });
        Assert.Equal(SegmentationParameters.ForPreset(Preset.Original) with { Clusters = 3 }, read);
        Assert.Equal(SegmentationParameters.ForPreset(Preset.Fast), ReportParameters.Read([]));
    }

    [Theory]
    [InlineData("""{"clusterz":3}""", "Unknown setting \"clusterz\"")]
    [InlineData("""{"epochs":2.5}""", "The setting \"epochs\" must be a whole number; got 2.5.")]
    [InlineData("""{"lr":"fast"}""", "The setting \"lr\" must be a number; got \"fast\".")]
    [InlineData("""{"cosineDecay":1}""", "The setting \"cosineDecay\" must be true or false; got 1.")]
    [InlineData("""{"preset":"slow"}""", "The setting \"preset\" must be one of \"fast\", \"original\"; got \"slow\".")]
    public void Mistakes_name_the_setting(string json, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ReportParameters.Read(JsonNode.Parse(json)!.AsObject()));
        Assert.Contains(message, e.Message);
    }
}
