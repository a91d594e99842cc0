using Segmenter.Engine.Steering;

namespace Segmenter.Engine.Tests.Steering;

/// <summary>
/// Strokes that cross two colours: the left region is half (1, 0), half (0, 1); the right region is the same two
/// codes shifted by (0.2, 0.2). One centre per brush splits by colour; nearest stroked prototypes split by region.
/// </summary>
public sealed class StrokeClassifierTests
{
    private const int W = 20, H = 10;

    private static float[] Codes()
    {
        var codes = new float[W * H * 2];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                float shift = x >= W / 2 ? 0.2f : 0f;
                bool top = y < H / 2;
                codes[(y * W + x) * 2] = (top ? 1f : 0f) + shift;
                codes[(y * W + x) * 2 + 1] = (top ? 0f : 1f) + shift;
            }
        return codes;
    }

    private static Scribbles VerticalStrokes()
    {
        var brushes = new byte[W * H];
        for (int y = 0; y < H; y++) { brushes[y * W + 2] = 1; brushes[y * W + W - 3] = 2; }
        return new Scribbles(W, H, brushes);
    }

    [Fact]
    public void A_stroke_crossing_two_colours_keeps_its_whole_region()
    {
        var clusters = StrokeClassifier.Classify(Codes(), 2, VerticalStrokes());
        Assert.Equal(2, clusters.Count);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                Assert.Equal(x < W / 2 ? 0 : 1, clusters.Labels[y * W + x]);
    }

    [Fact]
    public void No_stroke_is_refused_with_a_message()
    {
        var e = Assert.Throws<ArgumentException>(() => StrokeClassifier.Classify(Codes(), 2, new Scribbles(W, H, new byte[W * H])));
        Assert.Contains("at least one stroke", e.Message);
    }
}
