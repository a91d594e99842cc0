using System.Text.Json.Nodes;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;
using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

/// <summary>
/// Every setting of the one table travels JSON → link → form → report: a form setting keeps its value, a setting the
/// form does not show comes from the preset. A new setting in <see cref="SettingFields"/> is covered without a new test.
/// </summary>
public sealed class SettingsRoundTripTests
{
    [Theory]
    [MemberData(nameof(UnusualSettings.Names), MemberType = typeof(UnusualSettings))]
    public void Every_setting_round_trips_json_link_form_report(string name)
    {
        var f = UnusualSettings.Field(name);
        var fromJson = ReportParameters.Read(JsonNode.Parse(ReportParameters.ToJson(UnusualSettings.Run).ToJsonString())!.AsObject());
        var form = new ParameterForm();
        RunSettings.Fill(form, fromJson);
        Assert.True(form.IsValid, string.Join(" ", form.Errors));

        var opened = new ParameterForm();
        Assert.Empty(RunSettings.Apply(opened, ParseQuery(RunSettings.ToQuery(form, "astronaut"))));
        var p = opened.ToParameters();
        Assert.NotNull(p);

        var expected = f.Form == FormPlace.None ? f.Get(SegmentationParameters.ForPreset(UnusualSettings.Run.Preset)) : f.Get(UnusualSettings.Run);
        Assert.Equal(expected, f.Get(p));
        Assert.Equal(f.ToJson(expected)?.ToJsonString(), ReportParameters.ToJson(p)[name]?.ToJsonString());
    }

    [Fact]
    public void The_copied_settings_json_reads_back_as_the_forms_parameters()
    {
        var form = new ParameterForm();
        RunSettings.Fill(form, UnusualSettings.Run);
        var json = JsonNode.Parse(RunSettings.ToJson(form, "astronaut", "http://localhost"))!.AsObject();
        Assert.StartsWith("http://localhost/?sample=astronaut&preset=original&k=7", json["link"]!.GetValue<string>());
        Assert.Equal(form.ToParameters(), ReportParameters.Read(json, ignore: ["sample", "link"]));
    }

    [Fact]
    public void Old_links_short_key_for_clusters_and_report_names_both_open()
    {
        var byAlias = new ParameterForm();
        RunSettings.Apply(byAlias, new Dictionary<string, string?> { ["k"] = "6" });
        var byName = new ParameterForm();
        RunSettings.Apply(byName, new Dictionary<string, string?> { ["clusters"] = "6" });
        Assert.Equal(6, byAlias.Clusters);
        Assert.Equal(6, byName.Clusters);
    }

    [Theory]
    [InlineData("k", "65", "The number of clusters can be at most 64; got 65.")]
    [InlineData("epochs", "0", "Epochs must be between 1 and 1000; got 0.")]
    [InlineData("heads", "3", "Attention heads must be 1, 2, 4, 8 or 16 (they divide the hidden width evenly); got 3.")]
    [InlineData("window", "2", "The attention window must be 1 (each pixel alone), 3 (3×3), 5 (5×5) or 7 (7×7); got 2.")]
    [InlineData("batch", "0", "The batch size must be between 1 and 65536; got 0.")]
    [InlineData("seed", "-1", "The seed must be a whole number ≥ 0; got -1.")]
    [InlineData("codeSize", "200", "The code size must be between 2 and 128; got 200.")]
    [InlineData("hiddenWidth", "8", "The hidden width must be between 16 and 256; got 8.")]
    [InlineData("kmeansRestarts", "0", "K-means restarts must be at least 1; got 0.")]
    [InlineData("kmeansTolerance", "-1", "The k-means tolerance must be a finite number ≥ 0; got -1.")]
    public void An_out_of_range_value_gets_the_engines_message_from_the_link_form_and_the_api(string name, string value, string message)
    {
        var form = new ParameterForm();
        RunSettings.Apply(form, new Dictionary<string, string?> { [name] = value });
        Assert.Contains(message, form.Errors);
        var api = ReportParameters.Read(new JsonObject { [SettingFields.Find(name)!.Name] = JsonNode.Parse(value) });
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => api.Validate(long.MaxValue)).Message);
    }

    private static Dictionary<string, string?> ParseQuery(string query) => query.TrimStart('?').Split('&')
        .Select(pair => pair.Split('=', 2))
        .ToDictionary(kv => Uri.UnescapeDataString(kv[0]), kv => (string?)Uri.UnescapeDataString(kv[1]));
}
