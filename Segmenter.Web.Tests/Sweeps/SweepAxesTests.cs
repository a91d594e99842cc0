using System.Text.Json.Nodes;
using Segmenter.Web.Sweeps;

namespace Segmenter.Web.Tests.Sweeps;

public sealed class SweepAxesTests
{
    [Fact]
    public void Lists_and_ranges_read_as_each_settings_values()
    {
        var axes = SweepAxes.Parse("window=1,3,5; lr=0.001..0.003:0.001 ;k=2,4");
        Assert.Equal(["window", "lr", "clusters"], axes.Select(a => a.Name));
        Assert.Equal([1, 3, 5], axes[0].Values.Cast<int>());
        Assert.Equal([0.001, 0.002, 0.003], axes[1].Values.Cast<double>());
        Assert.Equal(18, SweepAxes.Count(axes));
        Assert.Equal("window=1,3,5;lr=0.001,0.002,0.003;clusters=2,4", SweepAxes.ToText(axes));
    }

    [Fact]
    public void Combinations_vary_the_first_axis_slowest_and_put_each_value_on_the_shared_settings()
    {
        var axes = SweepAxes.Parse("heads=1,2;activation=relu,gelu");
        var combinations = SweepAxes.Combinations(axes);
        Assert.Equal(4, combinations.Count);
        var settings = SweepAxes.Settings(new JsonObject { ["epochs"] = 3, ["heads"] = 8 }, axes, combinations[1]);
        Assert.Equal("""{"epochs":3,"heads":1,"activation":"gelu"}""", settings.ToJsonString());
    }

    [Fact]
    public void The_API_form_reads_lists_and_ranges()
    {
        var axes = SweepAxes.Read((JsonObject)JsonNode.Parse("""{"epochs":{"from":10,"to":30,"step":10},"segments":["clusters","regions"]}""")!);
        Assert.Equal([10, 20, 30], axes[0].Values.Cast<int>());
        Assert.Equal(2, axes[1].Values.Count);
        Assert.Equal("""{"epochs":[10,20,30],"segments":["clusters","regions"]}""", SweepAxes.ToJson(axes).ToJsonString());
    }

    [Theory]
    [InlineData("window=1,3,4", "The attention window must be 1 (each pixel alone), 3 (3×3), 5 (5×5) or 7 (7×7); got 4.")]
    [InlineData("heads=1,3", "Attention heads must be 1, 2, 4, 8 or 16 (they divide the hidden width evenly); got 3.")]
    [InlineData("epochs=0,5", "Epochs must be between 1 and")]
    [InlineData("colours=1", "Unknown setting \"colours\"; the settings are preset, clusters")]
    [InlineData("heads=", "The sweep's list of \"heads\" values is empty: give at least one value.")]
    [InlineData("heads=two", "The setting \"heads\" must be a whole number; got 'two'.")]
    [InlineData("epochs=30..10:10", "the end must not be below the start")]
    [InlineData("epochs=10..30:0", "a step greater than 0")]
    [InlineData("epochs=1.5..3:1", "The setting \"epochs\" must be a whole number; got '1.5'.")]
    [InlineData("window=1;heads=1;seed=1;epochs=1", "A sweep varies at most 3 settings; got 4.")]
    [InlineData("window=1;window=3", "The sweep names \"window\" twice")]
    [InlineData("", "A sweep needs at least one setting")]
    [InlineData("window", "A sweep axis is written name=values")]
    public void A_bad_axis_gets_the_settings_message(string text, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => SweepAxes.Parse(text));
        Assert.Contains(message, e.Message);
    }
}
