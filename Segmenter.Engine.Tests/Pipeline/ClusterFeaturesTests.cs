using Segmenter.Bench;
using Segmenter.Engine.Baselines;
using Segmenter.Engine.Imaging;
using Segmenter.Engine.Model;
using Segmenter.Engine.Pipeline;
using Segmenter.Engine.Tests.Support;

namespace Segmenter.Engine.Tests.Pipeline;

/// <summary>What k-means clusters: pooled, standardised codes beside blurred Lab colours, the same whichever way they are computed.</summary>
public sealed class ClusterFeaturesTests : IDisposable
{
    private static readonly SegmentationParameters Fast = SegmentationParameters.ForPreset(Preset.Fast);

    // 2100 pixels wide: bands of 249 rows, so a 600-row image is pooled in three bands with halos between them.
    private readonly RgbImage image = SyntheticImages.Regions(2100, 600, regions: 5, noise: 12, seed: 3);
    private readonly AttentionAutoencoder model;

    public ClusterFeaturesTests()
    {
        TorchRuntime.Initialise();
        model = TorchRuntime.CreateModel(Fast); // untrained weights: the maths, not the quality, is under test
    }

    public void Dispose() => model.Dispose();

    [Fact]
    public void Pooled_codes_are_the_Gaussian_average_of_the_neighbours_codes_with_edges_repeated()
    {
        var small = SyntheticImages.Regions(40, 30, regions: 3, noise: 20, seed: 1);
        var p = Fast with { ColourWeight = 0, CodePooling = 1, TextureWeight = 0 };
        var items = CodeItems.For(small, p);
        var all = Enumerable.Range(0, items.Count).ToArray();
        var raw = items.Encode(model, all, default);
        var pooled = new ClusterFeatures(small, p).Unscaled(items, model, all, default);
        int w = small.Width, h = small.Height, dims = p.CodeSize;
        var k = Enumerable.Range(-3, 7).Select(d => Math.Exp(-d * d / 2.0)).ToArray();
        double sum = k.Sum();
        foreach (var (x, y) in new[] { (0, 0), (1, 2), (20, 15), (39, 29), (38, 0) })
            for (int j = 0; j < dims; j++)
            {
                double expected = 0;
                for (int dy = -3; dy <= 3; dy++)
                    for (int dx = -3; dx <= 3; dx++)
                    {
                        int q = Math.Clamp(y + dy, 0, h - 1) * w + Math.Clamp(x + dx, 0, w - 1);
                        expected += k[dy + 3] * k[dx + 3] / (sum * sum) * raw[q * dims + j];
                    }
                Assert.Equal(expected, pooled[(y * w + x) * dims + j], 1e-5);
            }
    }

    [Fact]
    public void Every_pixel_scattered_pixels_and_a_run_across_bands_get_the_same_features()
    {
        var items = CodeItems.For(image, Fast);
        var features = new ClusterFeatures(image, Fast);
        int n = (int)image.PixelCount, dims = features.Dims;
        Assert.False(TrainedModel.CanKeep(n, 2 * Fast.CodeSize), "the image must be pooled band by band");
        var rng = new Random(5);
        var scattered = Enumerable.Range(0, 300).Select(_ => rng.Next(n)).Append(0).Append(n - 1).ToArray();
        var run = Enumerable.Range(248 * image.Width - 50, 3 * image.Width).ToArray(); // rows 247–250, across the first band border

        var fit = features.Unscaled(items, model, scattered, default);
        features.FitScale(fit, null);
        var all = features.Encode(items, model, Enumerable.Range(0, n).ToArray(), default);
        var few = features.Encode(items, model, scattered, default);
        var across = features.Encode(items, model, run, default);
        for (int i = 0; i < scattered.Length; i++)
            for (int j = 0; j < dims; j++)
                Assert.Equal(all[(long)scattered[i] * dims + j], few[i * dims + j], 1e-4); // the sum's order differs: float rounding
        for (int i = 0; i < run.Length; i++)
            for (int j = 0; j < dims; j++)
                Assert.Equal(all[(long)run[i] * dims + j], across[i * dims + j], 1e-4);
    }

    [Fact]
    public void The_scale_gives_each_code_number_an_equal_share_and_the_colour_its_weight()
    {
        var p = Fast with { ColourWeight = 3, TextureWeight = 0 };
        var small = SyntheticImages.Regions(64, 48, regions: 4, noise: 10, seed: 2);
        var items = CodeItems.For(small, p);
        var features = new ClusterFeatures(small, p);
        var ids = Enumerable.Range(0, items.Count).ToArray();
        var unscaled = features.Unscaled(items, model, ids, default);
        var f = features.EncodeFitted(items, model, ids, default);
        int dims = features.Dims, n = f.Length / dims, code = p.CodeSize;
        Assert.Equal(code + 3, dims);
        double VarianceOf(float[] rows, int j)
        {
            double mean = Enumerable.Range(0, n).Average(i => rows[i * dims + j]);
            return Enumerable.Range(0, n).Average(i => Math.Pow(rows[i * dims + j] - mean, 2));
        }
        double Variance(int j) => VarianceOf(f, j);
        // Each code number gets 1/code of the variance; one that hardly varies (under a thousandth of the mean) is
        // scaled as if it had that floor, so it gets proportionally less.
        double floor = 1e-3 * Enumerable.Range(0, code).Average(j => VarianceOf(unscaled, j));
        for (int j = 0; j < code; j++)
        {
            double raw = VarianceOf(unscaled, j), expected = raw / (Math.Max(raw, floor) * code);
            Assert.True(Math.Abs(Variance(j) - expected) < 1e-4, $"code number {j}: variance {Variance(j)}, expected {expected}");
        }
        Assert.Equal(9, Variance(code) + Variance(code + 1) + Variance(code + 2), 3);
        // The colour block is the blurred image's CIE Lab, centred and scaled as one (its geometry kept).
        var blurred = ColourBaselines.Blur(small);
        var (l0, a0, _) = CieLabConversion.FromRgb(blurred.Pixels[0], blurred.Pixels[1], blurred.Pixels[2]);
        var (l1, a1, _) = CieLabConversion.FromRgb(blurred.Pixels[3], blurred.Pixels[4], blurred.Pixels[5]);
        double gainL = (f[dims + code] - f[code]) / (l1 - l0), gainA = (f[dims + code + 1] - f[code + 1]) / (a1 - a0);
        Assert.Equal(gainL, gainA, 3);
    }

    /// <summary>
    /// The texture block's weight follows the image's texture gate: none on flat regions (the code and colour keep
    /// theirs), all of it on natural textures, where the code and colour fade out.
    /// </summary>
    [Fact]
    public void The_texture_block_gets_its_weight_on_textures_and_none_on_flat_regions()
    {
        var textures = ImageLoader.Load(Path.Combine(TestPaths.RepoRoot, "Segmenter.Engine.Tests", "Fixtures", "textures", "brick_grass.png"));
        var flat = SyntheticImages.Regions(256, 256, regions: 4, noise: 12, seed: 4);
        int code = Fast.CodeSize, colour = code + 3, dims = ClusterFeatures.DimsFor(Fast);
        Assert.Equal(colour + TextureEnergies.Count, dims);
        foreach (var (name, im, codeVariance, colourVariance, textureVariance) in new[] { ("flat", flat, 1.0, 4.0, 0.0), ("brick_grass", textures, 0.0, 0.0, 16.0) })
        {
            var features = new ClusterFeatures(im, Fast);
            var rng = new Random(2);
            var f = Enumerable.Range(0, 3000 * dims).Select(_ => (float)rng.NextDouble()).ToArray();
            features.FitScale(f, null);
            features.Apply(f);
            double BlockVariance(int from, int to) => Enumerable.Range(from, to - from).Sum(j =>
            {
                var v = Enumerable.Range(0, 3000).Select(i => (double)f[i * dims + j]).ToArray();
                double mean = v.Average();
                return v.Average(x => (x - mean) * (x - mean));
            });
            Assert.True(Math.Abs(BlockVariance(0, code) - codeVariance) < 1e-3, $"{name}: code variance {BlockVariance(0, code)}");
            Assert.True(Math.Abs(BlockVariance(code, colour) - colourVariance) < 1e-3, $"{name}: colour variance {BlockVariance(code, colour)}");
            Assert.True(Math.Abs(BlockVariance(colour, dims) - textureVariance) < 1e-2, $"{name}: texture variance {BlockVariance(colour, dims)}");
        }
    }

    [Fact]
    public void A_code_number_that_hardly_varies_is_not_blown_up_to_the_weight_of_one_that_carries_the_image()
    {
        var p = Fast with { CodeSize = 2, ColourWeight = 0, TextureWeight = 0 };
        var features = new ClusterFeatures(image, p);
        var rng = new Random(1);
        // Number 0 varies (spread 1); number 1 is float noise around a constant (spread 1e-6).
        var f = Enumerable.Range(0, 2000).SelectMany(_ => new[] { (float)(rng.NextDouble() * 3.4), (float)(5 + rng.NextDouble() * 3.4e-6) }).ToArray();
        features.FitScale(f, null);
        features.Apply(f);
        double Variance(int j)
        {
            var v = Enumerable.Range(0, 2000).Select(i => (double)f[2 * i + j]).ToArray();
            double mean = v.Average();
            return v.Average(x => (x - mean) * (x - mean));
        }
        Assert.Equal(0.5, Variance(0), 3);
        Assert.True(Variance(1) < 1e-6, $"the noise number's variance {Variance(1)}");
    }

    [Fact]
    public void Raw_codes_are_the_networks_codes_and_keep_the_distinct_colour_items_of_the_pixel_model()
    {
        var p = Fast with { Window = 1, CodePooling = 0, ColourWeight = 0, TextureWeight = 0 };
        Assert.True(ClusterFeatures.AreRawCodes(p));
        Assert.False(CodeItems.ArePixels(p));
        Assert.True(CodeItems.ArePixels(p with { CodePooling = 1 }));
        var items = CodeItems.For(image, p);
        var ids = Enumerable.Range(0, 50).ToArray();
        using var pixelModel = TorchRuntime.CreateModel(p);
        Assert.Equal(items.Encode(pixelModel, ids, default), new ClusterFeatures(image, p).Encode(items, pixelModel, ids, default));
        Assert.Null(new ClusterFeatures(image, p).Scale);
    }

    [Fact]
    public void A_saved_model_keeps_its_scale_and_segments_a_new_image_as_the_run_did()
    {
        var (blocks, _) = SampleImages.Blocks(48, 36, seed: 3);
        var result = SegmentationPipeline.Run(blocks, Fast with { Clusters = 3, Epochs = 2 });
        using var trained = result.Model;
        using var file = new MemoryStream();
        SavedModel.Save(result, file);
        file.Position = 0;
        using var saved = SavedModel.Load(file);
        Assert.NotNull(trained!.Features.Scale);
        Assert.Equal(result.Labels, saved.Apply(blocks).Labels);
    }
}
