using Segmenter.Engine.Clustering;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Steering;
using Xunit.Abstractions;

namespace Segmenter.Engine.Tests.Steering;

/// <summary>
/// A scene whose colours mislead: the left region is half red, half blue; the right region is the same two colours
/// a little lighter. Colour splits top from bottom, the truth is left from right. One vertical stroke per region
/// crosses both of its colours. Fine-tuning with the strokes must pull each brush together and the brushes apart.
/// </summary>
public sealed class StrokeFineTuneTests(ITestOutputHelper output)
{
    private const int W = 64, H = 48;
    private static readonly SegmentationParameters Quick = SegmentationParameters.ForPreset(Preset.Fast) with { Epochs = 2, Clusters = 2 };
    private static readonly FineTuneSettings Settings = new(Epochs: 5);

    private static RgbImage MisleadingScene()
    {
        var rng = new Random(7);
        var pixels = new byte[W * H * 3];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                int lift = x >= W / 2 ? 40 : 0;
                bool top = y < H / 2;
                int[] rgb = top ? [180 + lift, 40 + lift, 40 + lift] : [40 + lift, 40 + lift, 180 + lift];
                for (int c = 0; c < 3; c++) pixels[(y * W + x) * 3 + c] = (byte)Math.Clamp(rgb[c] + rng.Next(-8, 9), 0, 255);
            }
        return new RgbImage(W, H, pixels);
    }

    private static Scribbles OneStrokePerRegion()
    {
        var brushes = new byte[W * H];
        for (int y = 2; y < H - 2; y++) { brushes[y * W + 6] = 1; brushes[y * W + W - 7] = 2; }
        return new Scribbles(W, H, brushes);
    }

    /// <summary>Distance between the two brushes' mean codes over the mean distance of a stroked code to its own brush's mean.</summary>
    private static double BrushSeparation(float[] codes, int dims, Scribbles scribbles)
    {
        var means = new double[3][];
        var counts = new int[3];
        for (int b = 1; b <= 2; b++) means[b] = new double[dims];
        for (int i = 0; i < scribbles.BrushOfPixel.Length; i++)
        {
            int b = scribbles.BrushOfPixel[i];
            if (b == 0) continue;
            counts[b]++;
            for (int d = 0; d < dims; d++) means[b][d] += codes[i * dims + d];
        }
        for (int b = 1; b <= 2; b++) for (int d = 0; d < dims; d++) means[b][d] /= counts[b];
        double within = 0;
        for (int i = 0; i < scribbles.BrushOfPixel.Length; i++)
        {
            int b = scribbles.BrushOfPixel[i];
            if (b != 0) within += Distance(codes.AsSpan(i * dims, dims), means[b]);
        }
        within /= counts[1] + counts[2];
        return Distance(means[1].Select(v => (float)v).ToArray(), means[2]) / within;
    }

    private static double Distance(ReadOnlySpan<float> a, double[] b)
    {
        double sum = 0;
        for (int d = 0; d < b.Length; d++) sum += (a[d] - b[d]) * (a[d] - b[d]);
        return Math.Sqrt(sum);
    }

    /// <summary>ARI of the stroke re-labelling against left/right, on the pixels nobody stroked.</summary>
    private static double UnstrokedAri(float[] codes, int dims, Scribbles scribbles)
    {
        var labels = ScribbleClustering.Recluster(codes, dims, scribbles, clusters: 2, seed: 1).Labels;
        var unstroked = Enumerable.Range(0, W * H).Where(i => scribbles.BrushOfPixel[i] == 0).ToArray();
        return Agreement.AdjustedRandIndex(unstroked.Select(i => i % W >= W / 2 ? 1 : 0).ToArray(), unstroked.Select(i => labels[i]).ToArray());
    }

    private static (IReadOnlyList<EpochLoss> Losses, double SeparationBefore, double SeparationAfter, double AriBefore, double AriAfter, int Version) FineTuneOnce()
    {
        var scribbles = OneStrokePerRegion();
        var run = SegmentationPipeline.Run(MisleadingScene(), Quick);
        using var model = TrainedModel.Of(run);
        var (before, dims) = model.PixelCodes();
        var losses = model.FineTune(scribbles, Settings);
        var (after, _) = model.PixelCodes();
        return (losses, BrushSeparation(before, dims, scribbles), BrushSeparation(after, dims, scribbles),
            UnstrokedAri(before, dims, scribbles), UnstrokedAri(after, dims, scribbles), model.Version);
    }

    [Fact]
    public void Fine_tuning_with_strokes_pulls_the_brushes_apart_in_code_space_and_relabels_no_worse()
    {
        var first = FineTuneOnce();
        output.WriteLine($"brush separation {first.SeparationBefore:F2} -> {first.SeparationAfter:F2}, unstroked ARI {first.AriBefore:F3} -> {first.AriAfter:F3}, " +
            $"losses {string.Join(", ", first.Losses.Select(l => l.Loss.ToString("F4")))}");

        Assert.Equal(Settings.Epochs, first.Losses.Count);
        Assert.All(first.Losses, l => Assert.True(double.IsFinite(l.Loss) && l.Loss >= 0, $"epoch {l.Epoch} loss {l.Loss}"));
        Assert.True(first.SeparationAfter > first.SeparationBefore,
            $"brush separation before {first.SeparationBefore:F3}, after {first.SeparationAfter:F3}");
        Assert.True(first.AriAfter >= first.AriBefore, $"unstroked ARI before {first.AriBefore:F3}, after {first.AriAfter:F3}");
        Assert.Equal(1, first.Version);

        // The same seed gives the same fine-tune.
        var second = FineTuneOnce();
        Assert.Equal(first.Losses.Select(l => l.Loss), second.Losses.Select(l => l.Loss));
        Assert.Equal(first.SeparationAfter, second.SeparationAfter);
    }

    [Fact]
    public void Fine_tuning_reencodes_the_codes_k_means_fits_on()
    {
        var run = SegmentationPipeline.Run(MisleadingScene(), Quick);
        using var model = TrainedModel.Of(run);
        var fitted = model.FitCodes;
        model.FineTune(OneStrokePerRegion(), new FineTuneSettings(Epochs: 1));
        Assert.NotEqual(fitted, model.FitCodes);
        Assert.Equal(fitted.Length, model.FitCodes.Length);
        Assert.Equal(2, model.Cluster(Quick).Clusters.Count);
    }

    [Fact]
    public void A_cancelled_fine_tune_puts_the_network_back_so_codes_and_clusterings_stay_those_of_the_run()
    {
        var run = SegmentationPipeline.Run(MisleadingScene(), Quick);
        using var model = TrainedModel.Of(run);
        var (codesBefore, _) = model.PixelCodes();
        var fitBefore = model.FitCodes;
        using var cancel = new CancellationTokenSource();

        // Cancelled after the first of five epochs has changed the weights.
        Assert.Throws<OperationCanceledException>(() => model.FineTune(OneStrokePerRegion(), Settings, _ => cancel.Cancel(), cancel.Token));

        Assert.Equal(0, model.Version);
        Assert.Same(fitBefore, model.FitCodes);
        var (codesAfter, _) = model.PixelCodes();
        Assert.Equal(codesBefore, codesAfter);
        Assert.Equal(run.Labels, model.Cluster(Quick).Labels);

        // The weights themselves are back: a fine-tune now matches one on a model that was never cancelled.
        var afterCancel = model.FineTune(OneStrokePerRegion(), new FineTuneSettings(Epochs: 1));
        using var untouched = TrainedModel.Of(SegmentationPipeline.Run(MisleadingScene(), Quick));
        var fresh = untouched.FineTune(OneStrokePerRegion(), new FineTuneSettings(Epochs: 1));
        Assert.Equal(fresh.Select(l => l.Loss), afterCancel.Select(l => l.Loss));
        Assert.Equal(untouched.FitCodes, model.FitCodes);
    }

    [Theory]
    [InlineData(0, 1.0, "epochs")]
    [InlineData(21, 1.0, "epochs")]
    [InlineData(3, 0.0, "weight")]
    public void Settings_out_of_range_are_refused_before_anything_changes(int epochs, double weight, string word)
    {
        var run = SegmentationPipeline.Run(MisleadingScene(), Quick with { Epochs = 1 });
        using var model = TrainedModel.Of(run);
        var e = Assert.Throws<ArgumentException>(() => model.FineTune(OneStrokePerRegion(), new FineTuneSettings(epochs, weight)));
        Assert.Contains(word, e.Message);
        Assert.Equal(0, model.Version);
    }

    [Fact]
    public void One_brush_is_refused_with_a_message()
    {
        var run = SegmentationPipeline.Run(MisleadingScene(), Quick with { Epochs = 1 });
        using var model = TrainedModel.Of(run);
        var brushes = new byte[W * H];
        brushes[5] = 1;
        var e = Assert.Throws<ArgumentException>(() => model.FineTune(new Scribbles(W, H, brushes), Settings));
        Assert.Contains("two brushes", e.Message);
    }
}
