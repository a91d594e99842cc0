using Segmenter.Engine.Steering;

namespace Segmenter.Engine.Tests.Steering;

/// <summary>
/// Strokes that cross two colours: the left region is half (1, 0), half (0, 1); the right region is the same two
/// codes shifted by (0.2, 0.2). One centre per brush splits by colour; several stroked prototypes per brush split by region.
/// </summary>
public sealed class CrossColourStrokeTests
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
        var clusters = ScribbleClustering.Recluster(Codes(), 2, VerticalStrokes(), clusters: 2, seed: 3);
        Assert.Equal(2, clusters.Count);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                Assert.Equal(x < W / 2 ? 0 : 1, clusters.Labels[y * W + x]);
    }

    [Fact]
    public void An_unstroked_region_keeps_a_cluster_of_its_own_when_k_leaves_room()
    {
        // A third band of far-away codes below the image's two stroked regions: with k = 3 it is a free cluster,
        // with k = 2 it goes to the nearer brush.
        var codes = Codes().Concat(Enumerable.Repeat(5f, W * 4 * 2)).ToArray();
        var brushes = new byte[W * (H + 4)];
        Array.Copy(VerticalStrokes().BrushOfPixel, brushes, W * H);
        var strokes = new Scribbles(W, H + 4, brushes);

        var three = ScribbleClustering.Recluster(codes, 2, strokes, clusters: 3, seed: 3);
        Assert.Equal(3, three.Count);
        for (int y = 0; y < H + 4; y++)
            for (int x = 0; x < W; x++)
                Assert.Equal(y >= H ? 2 : x < W / 2 ? 0 : 1, three.Labels[y * W + x]);

        var two = ScribbleClustering.Recluster(codes, 2, strokes, clusters: 2, seed: 3);
        Assert.Equal(2, two.Count);
        Assert.Equal(1, two.Labels[(H + 1) * W]); // (5, 5) is nearer the right region's shifted codes
    }

    [Fact]
    public void No_stroke_is_refused_with_a_message()
    {
        var e = Assert.Throws<ArgumentException>(() => ScribbleClustering.Recluster(Codes(), 2, new Scribbles(W, H, new byte[W * H]), clusters: 2, seed: 3));
        Assert.Contains("at least one stroke", e.Message);
    }
}
