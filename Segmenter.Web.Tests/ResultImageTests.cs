using Segmenter.Web.Services;

namespace Segmenter.Web.Tests;

public class ResultImageTests
{
    [Theory]
    [InlineData("original", ResultImageKind.Original, 0)]
    [InlineData("segmented", ResultImageKind.Segmented, 0)]
    [InlineData("mean", ResultImageKind.MeanColours, 0)]
    [InlineData("palette", ResultImageKind.Palette, 0)]
    [InlineData("boundaries", ResultImageKind.Boundaries, 0)]
    [InlineData("labels", ResultImageKind.Labels, 0)]
    [InlineData("highlight-12", ResultImageKind.Highlight, 12)]
    [InlineData("baseline-1", ResultImageKind.Baseline, 1)]
    [InlineData("stability-map", ResultImageKind.StabilityMap, 0)]
    public void Every_image_url_name_reads_as_its_image_and_writes_back_the_same(string name, ResultImageKind kind, int index)
    {
        var image = ResultImage.Parse(name);
        Assert.Equal(new ResultImage(kind, index), image);
        Assert.Equal(name, image!.Value.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Mean")]
    [InlineData("baseline-")]
    [InlineData("baseline-+1")]
    [InlineData("highlight- 1")]
    [InlineData("thumbnail")]
    public void A_name_of_no_image_reads_as_none(string name) => Assert.Null(ResultImage.Parse(name));

    [Theory]
    [InlineData(ResultView.MeanColours, ResultImageKind.MeanColours)]
    [InlineData(ResultView.Palette, ResultImageKind.Palette)]
    [InlineData(ResultView.Boundaries, ResultImageKind.Boundaries)]
    public void The_segmented_image_is_the_one_of_the_chosen_view(ResultView view, ResultImageKind shown)
    {
        Assert.Equal(new ResultImage(shown), ResultImage.Segmented.In(view));
        Assert.Equal(ResultImage.Labels, ResultImage.Labels.In(view));
    }
}
