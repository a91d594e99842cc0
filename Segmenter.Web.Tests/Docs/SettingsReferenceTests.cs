using Segmenter.Bench.Docs;
using Segmenter.Engine.Pipeline;

namespace Segmenter.Web.Tests.Docs;

/// <summary>
/// docs/settings.md against <see cref="SettingFields.All"/>: its table is exactly what the code generates (names, link
/// keys, CLI options, the values each range check accepts, both presets' defaults), and every setting is explained.
/// </summary>
public sealed class SettingsReferenceTests
{
    private static string Reference => File.ReadAllText(DocTools.PathOf("docs", "settings.md")).Replace("\r\n", "\n");

    [Fact]
    public void The_settings_table_is_what_the_code_generates()
    {
        var file = Reference;
        Assert.Contains(SettingsReference.Begin, file);
        Assert.True(SettingsReference.Rewrite(file) == file,
            "docs/settings.md's table differs from SettingFields: run `dotnet run --project Segmenter.Bench -- docs`.\nExpected:\n" + SettingsReference.Table());
    }

    [Fact]
    public void Every_setting_is_explained_below_the_table()
    {
        var prose = Reference.Split(SettingsReference.End)[1];
        Assert.All(SettingFields.All, f => Assert.Contains($"**`{f.Name}`**", prose));
    }

    [Fact]
    public void The_values_column_says_what_the_range_checks_accept()
    {
        string Values(string name) => SettingsReference.Values(SettingFields.Find(name)!);
        Assert.Equal($"{SegmentationParameters.MinClusters}–{SegmentationParameters.MaxClusters}", Values("clusters"));
        Assert.Equal($"1–{SegmentationParameters.MaxEpochs}", Values("epochs"));
        Assert.Equal(string.Join(", ", SegmentationParameters.AllowedHeads), Values("heads"));
        Assert.Equal(string.Join(", ", SegmentationParameters.AllowedWindows), Values("window"));
        Assert.Equal($"1, 3, 5, … {SegmentationParameters.MaxLabelSmoothing}", Values("labelSmoothing"));
        Assert.Equal($"0 or ≥ {SegmentationParameters.MinMaxPixels}", Values("maxPixels"));
        Assert.Equal($"0–{SegmentationParameters.MaxCodePooling}", Values("codePooling"));
        Assert.Equal("> 0", Values("lr"));
        Assert.Equal("≥ 1 or `none`", Values("trainingSample"));
        Assert.Equal("`relu`, `gelu`, `silu`, `tanh`", Values("activation"));
    }
}
