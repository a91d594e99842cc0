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
    [MemberData(nameof(UnusualSettings.OutOfRange), MemberType = typeof(UnusualSettings))]
    public void An_out_of_range_value_gets_the_engines_message_from_the_link_form_and_the_api(string name, string value, string message)
    {
        var form = new ParameterForm();
        RunSettings.Apply(form, new Dictionary<string, string?> { [UnusualSettings.Field(name).LinkKey] = value });
        Assert.Contains(message, form.Errors);
        var api = ReportParameters.Read(new JsonObject { [name] = JsonNode.Parse(value) });
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => api.Validate(long.MaxValue)).Message);
    }

    private static Dictionary<string, string?> ParseQuery(string query) => query.TrimStart('?').Split('&')
        .Select(pair => pair.Split('=', 2))
        .ToDictionary(kv => Uri.UnescapeDataString(kv[0]), kv => (string?)Uri.UnescapeDataString(kv[1]));
}
