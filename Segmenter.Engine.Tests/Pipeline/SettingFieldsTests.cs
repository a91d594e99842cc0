using System.Text.Json.Nodes;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>The one table of settings: every setting travels through the report JSON as the table says (through the CLI: Segmenter.Bench.Tests, SettingOptionsTests).</summary>
public sealed class SettingFieldsTests
{
    [Theory]
    [MemberData(nameof(UnusualSettings.Names), MemberType = typeof(UnusualSettings))]
    public void Every_setting_differs_from_its_preset(string name)
    {
        var f = UnusualSettings.Field(name);
        UnusualSettings.Run.Validate(long.MaxValue);
        Assert.NotEqual(f.Get(Other(f)), f.Get(UnusualSettings.Run));
    }

    /// <summary>Where a setting's value comes from when it is not given: the preset for the others, fast for the preset.</summary>
    private static SegmentationParameters Other(SettingField f) =>
        SegmentationParameters.ForPreset(f == SettingFields.Preset ? Preset.Fast : UnusualSettings.Run.Preset);

    [Theory]
    [MemberData(nameof(UnusualSettings.Names), MemberType = typeof(UnusualSettings))]
    public void Every_setting_round_trips_through_the_report_json(string name)
    {
        var f = UnusualSettings.Field(name);
        var json = JsonNode.Parse(ReportParameters.ToJson(UnusualSettings.Run).ToJsonString())!.AsObject();
        Assert.Equal(f.ToJson(f.Get(UnusualSettings.Run))!.ToJsonString(), json[name]!.ToJsonString());
        Assert.Equal(f.Get(UnusualSettings.Run), f.Get(ReportParameters.Read(json)));
    }

    [Fact]
    public void Same_training_is_record_equality_and_clustering_settings_do_not_change_it()
    {
        var a = UnusualSettings.Run;
        foreach (var f in SettingFields.All)
        {
            var other = f.With(a, f.Get(Other(f)));
            Assert.Equal(f.Group == SettingGroup.Clustering, a.Training == other.Training);
            Assert.Equal(f.Group == SettingGroup.Training, a.Clustering == other.Clustering);
        }
    }

    [Theory]
    [MemberData(nameof(UnusualSettings.Names), MemberType = typeof(UnusualSettings))]
    public void A_value_of_the_wrong_kind_names_the_setting_the_same_way_in_json_and_text(string name)
    {
        var f = UnusualSettings.Field(name);
        var fromJson = Assert.Throws<ArgumentException>(() => f.ReadJson(JsonValue.Create("x")));
        var fromText = Assert.Throws<ArgumentException>(() => f.ReadText("x"));
        Assert.StartsWith($"The setting \"{name}\" must be {f.Expects}; got ", fromJson.Message);
        Assert.StartsWith($"The setting \"{name}\" must be {f.Expects}; got ", fromText.Message);
    }
}
