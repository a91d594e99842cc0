using Segmenter.Engine.Pipeline;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>Each setting's label, hint and range, which the page's form shows, say what its check allows.</summary>
public sealed class SettingRangesTests
{
    public static TheoryData<string> Names => new(SettingFields.All.Select(f => f.Name));

    private static SettingField Field(string name) => SettingFields.Find(name)!;

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_setting_has_a_label_and_a_hint(string name)
    {
        var f = Field(name);
        Assert.False(string.IsNullOrWhiteSpace(f.Label));
        Assert.EndsWith(".", f.Hint);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_settings_range_ends_are_allowed_and_just_past_them_is_refused(string name)
    {
        var f = Field(name);
        var type = Nullable.GetUnderlyingType(f.ValueType) ?? f.ValueType;
        object Value(double x) => type == typeof(int) ? (object)(int)x : x;
        double past = type == typeof(int) ? 1 : 0.5;
        if (f.Min is { } min)
        {
            Assert.Null(f.Problem(Value(min)));
            Assert.NotNull(f.Problem(Value(min - past)));
        }
        if (f.Max is { } max)
        {
            Assert.Null(f.Problem(Value(max)));
            Assert.NotNull(f.Problem(Value(max + past)));
        }
        Assert.True(f.Min is null || f.Max is null || f.Min < f.Max);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_allowed_value_passes_the_check_and_a_value_between_them_does_not(string name)
    {
        var f = Field(name);
        if (f.Allowed is not { } allowed) return;
        Assert.All(allowed, v => Assert.Null(f.Problem(v)));
        if (f.ValueType == typeof(int))
        {
            var ints = allowed.Cast<int>().Order().ToArray();
            int gap = Enumerable.Range(ints[0], ints[^1] - ints[0]).First(v => !ints.Contains(v));
            Assert.NotNull(f.Problem(gap));
        }
    }

    [Fact]
    public void The_ranges_are_the_engines_constants()
    {
        Assert.Equal((SegmentationParameters.MinClusters, SegmentationParameters.MaxClusters), (Field("clusters").Min, Field("clusters").Max));
        Assert.Equal((SegmentationParameters.MinCodeSize, SegmentationParameters.MaxCodeSize), (Field("codeSize").Min, Field("codeSize").Max));
        Assert.Equal(SegmentationParameters.AllowedHeads.Cast<object>(), Field("heads").Allowed!);
        Assert.Equal(Enum.GetValues<Activation>().Cast<object>(), Field("activation").Allowed!);
        Assert.Equal("k-means++", Field("kmeansInit").ChoiceLabel(Engine.Clustering.KMeansInit.KMeansPlusPlus));
    }
}
