using Segmenter.Engine.Clustering;
using Segmenter.Engine.Steering;

namespace Segmenter.Engine.Tests.Steering;

public class ClusterEditingTests
{
    private const int Width = 64, Height = 64, Dims = 2;

    /// <summary>
    /// A generated scene whose codes mislead k-means: top and bottom halves differ by a small offset in one code
    /// dimension, while the other dimension spreads widely across the image (think of a strong shading gradient).
    /// Unconstrained k-means at k = 2 cuts along the gradient, not between the halves.
    /// </summary>
    private static (float[] Codes, int[] Truth) GradientScene(int seed = 3)
    {
        var rng = new Random(seed);
        var codes = new float[Width * Height * Dims];
        var truth = new int[Width * Height];
        for (int y = 0; y < Height; y++)
        for (int x = 0; x < Width; x++)
        {
            int i = y * Width + x;
            truth[i] = y < Height / 2 ? 0 : 1;
            codes[i * Dims] = x / 4f + (float)(rng.NextDouble() - 0.5);
            codes[i * Dims + 1] = truth[i] * 1.5f + (float)(rng.NextDouble() - 0.5) * 0.6f;
        }
        return (codes, truth);
    }

    private static SteeredClusters Unconstrained(float[] codes, int k)
    {
        var km = new KMeans(k, seed: 7).Fit(codes, Dims);
        return SteeredClusters.FromLabels(codes, Dims, km.Labels, k);
    }

    [Fact]
    public void Merge_keeps_every_other_pixels_cluster()
    {
        var (codes, _) = GradientScene();
        var before = Unconstrained(codes, 5);
        var after = ClusterEdits.Merge(before, codes, Dims, [3, 1]);

        Assert.Equal(4, after.Count);
        int merged = after.Labels[Array.FindIndex(before.Labels, l => l == 1)];
        for (int i = 0; i < before.Labels.Length; i++)
        {
            int old = before.Labels[i];
            int expected = old is 1 or 3 ? merged : old < 3 ? old : old - 1;
            Assert.Equal(expected, after.Labels[i]);
        }
        // The merged centre is the mean code of its pixels; the kept ones are unchanged.
        Assert.Equal(SteeredClusters.MeanCodes(codes, Dims, after.Labels, 4), after.Centres, (a, b) => Math.Abs(a - b) < 1e-4);
        Assert.Equal(before.Centres.AsSpan(4 * Dims, Dims).ToArray(), after.Centres.AsSpan(3 * Dims, Dims).ToArray());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Split_only_touches_the_chosen_cluster(int parts)
    {
        var (codes, _) = GradientScene();
        var before = Unconstrained(codes, 3);
        var after = ClusterEdits.Split(before, codes, Dims, 1, parts, seed: 5);

        Assert.Equal(3 + parts - 1, after.Count);
        for (int i = 0; i < before.Labels.Length; i++)
            if (before.Labels[i] != 1) Assert.Equal(before.Labels[i], after.Labels[i]);
            else Assert.True(after.Labels[i] == 1 || after.Labels[i] >= 3);
        Assert.All(after.Sizes(), s => Assert.True(s > 0));
    }

    [Fact]
    public void Bad_edits_are_refused_with_a_clear_message()
    {
        var (codes, _) = GradientScene();
        var start = Unconstrained(codes, 3);
        Assert.Contains("at least two", Assert.Throws<ArgumentException>(() => ClusterEdits.Merge(start, codes, Dims, [1])).Message);
        Assert.Contains("2…4", Assert.Throws<ArgumentException>(() => ClusterEdits.Split(start, codes, Dims, 0, 5, 1)).Message);
        Assert.Contains("0…2", Assert.Throws<ArgumentException>(() => ClusterEdits.Split(start, codes, Dims, 3, 2, 1)).Message);
    }

    [Fact]
    public void Undo_and_redo_step_through_edits()
    {
        var (codes, _) = GradientScene();
        var start = Unconstrained(codes, 4);
        var history = new EditHistory<SteeredClusters>(start);
        var merged = history.Apply(ClusterEdits.Merge(start, codes, Dims, [0, 1]));
        Assert.Same(start, history.Undo());
        Assert.True(history.CanRedo);
        Assert.Same(merged, history.Redo());
        history.Undo();
        var split = history.Apply(ClusterEdits.Split(start, codes, Dims, 0, 2, 1));
        Assert.False(history.CanRedo); // a new edit forgets what was undone
        Assert.Same(split, history.Current);
        Assert.Throws<InvalidOperationException>(() => history.Redo());
    }

    [Fact]
    public void Strokes_are_honoured_and_beat_unconstrained_k_means_at_the_same_k()
    {
        var (codes, truth) = GradientScene();
        var strokes = new byte[Width * Height];
        for (int x = 4; x < Width - 4; x++) { strokes[8 * Width + x] = 2; strokes[50 * Width + x] = 9; }
        var scribbles = new Scribbles(Width, Height, strokes);

        var steered = ScribbleClustering.Recluster(codes, Dims, scribbles, clusters: 2, seed: 7);
        var plain = Unconstrained(codes, 2);

        for (int i = 0; i < strokes.Length; i++)
            if (strokes[i] != 0) Assert.Equal(strokes[i] == 2 ? 0 : 1, steered.Labels[i]);
        double steeredAri = Agreement.AdjustedRandIndex(truth, steered.Labels);
        double plainAri = Agreement.AdjustedRandIndex(truth, plain.Labels);
        Assert.True(plainAri < 0.5, $"the scene should mislead plain k-means; its ARI was {plainAri:F3}");
        Assert.True(steeredAri > 0.9 && steeredAri > plainAri, $"steered ARI {steeredAri:F3}, plain {plainAri:F3}");
    }

    [Fact]
    public void Different_brushes_never_share_a_segment_even_with_fewer_clusters_asked()
    {
        var (codes, _) = GradientScene();
        var strokes = new byte[Width * Height];
        strokes[0] = 1; strokes[1] = 2; strokes[2] = 3; // neighbours with near-identical codes
        var steered = ScribbleClustering.Recluster(codes, Dims, new Scribbles(Width, Height, strokes), clusters: 2, seed: 1);
        Assert.Equal(3, steered.Count);
        Assert.Equal([0, 1, 2], steered.Labels[..3]);
    }

    [Fact]
    public void Scribbles_of_the_wrong_size_or_value_are_refused()
    {
        Assert.Contains("not the 4×4", Assert.Throws<ArgumentException>(() => new Scribbles(4, 4, new byte[15])).Message);
        var bad = new byte[16]; bad[5] = 17;
        Assert.Contains("1…16", Assert.Throws<ArgumentException>(() => new Scribbles(4, 4, bad)).Message);
    }
}
